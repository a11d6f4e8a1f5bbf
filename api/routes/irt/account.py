"""A member of staff's own account: enrolling the second factor at the first sign-in
(`GET/POST /irt/enrol`), and changing the password (`GET/POST /irt/account/password`).

Enrolment shows the TOTP secret (and its otpauth:// URI, for an authenticator app) and asks
for a code from it; once the code is right the session is replaced by one past the second
factor and the recovery codes are shown, once. A password change needs the current password
and a code, ends the account's other sessions, and is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from api.deps import AnySessionDep, CheckedEnrolmentForm, CheckedForm, ServicesDep, StaffSessionDep
from api.irt_pages import page
from api.services import AppServices
from api.staff_cookies import HOME, session_token, set_session_cookie
from bot.adapters import totp
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.staff import StaffRepository
from bot.adapters.passwords import (
    MAX_PASSWORD_LENGTH,
    PasswordPolicyError,
    check_password_policy,
)
from bot.domain.audit import AuditAction
from bot.services.staff_auth import ActiveSession, SecondFactor, StaffSessions

router = APIRouter(prefix="/irt", include_in_schema=False)

MAX_CODE_LENGTH = 40
REAUTHENTICATION_REFUSED = "Your password or the code is not right"
WRONG_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now."


def _audit(session: object, services: AppServices, actor: str, action: AuditAction) -> None:
    ContactRepository(
        session, services.cipher, services.clock, timezone=services.facts.timezone  # type: ignore[arg-type]
    ).add_audit(actor, action, detail={})


# --- enrolling the second factor -------------------------------------------------------------


def _enrol_page(
    request: Request,
    services: AppServices,
    active: ActiveSession,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with services.sessions.begin() as session:
        staff = StaffRepository(session)
        account = staff.find(active.member.username)
        assert account is not None
        secret = SecondFactor(staff, services.cipher).pending_secret(account)
    return page(
        request,
        services,
        "irt/enrol.html",
        None,  # no navigation: nothing else is open to this session yet
        status_code=status_code,
        csrf_token_value=active.csrf_token,
        secret=secret,
        uri=totp.provisioning_uri(secret, active.member.username),
        error=error,
    )


@router.get("/enrol")
def enrol_page(request: Request, services: ServicesDep, active: AnySessionDep) -> Response:
    if active.second_factor:
        return RedirectResponse(HOME, status_code=303)
    return _enrol_page(request, services, active)


@router.post("/enrol")
def enrol(
    *,
    request: Request,
    services: ServicesDep,
    active: CheckedEnrolmentForm,
    code: Annotated[str, Form(max_length=MAX_CODE_LENGTH)] = "",
) -> Response:
    if active.second_factor:
        return RedirectResponse(HOME, status_code=303)
    with services.sessions.begin() as session:
        staff = StaffRepository(session)
        account = staff.find(active.member.username)
        assert account is not None
        factor = SecondFactor(staff, services.cipher)
        if account.totp_confirmed or not factor.check(account, code, services.clock.now()):
            confirmed = None
        else:
            confirmed = factor.new_recovery_codes(account)
            sessions = StaffSessions(staff, services.clock)
            token = session_token(request)
            if token:
                sessions.end(token)
            new = sessions.start(active.member)
            _audit(session, services, active.member.username, AuditAction.SECOND_FACTOR_ENROLLED)
    if confirmed is None:
        return _enrol_page(request, services, active, error=WRONG_CODE, status_code=200)
    response = page(
        request,
        services,
        "irt/recovery_codes.html",
        None,
        recovery_codes=confirmed,
    )
    set_session_cookie(response, new.token, services.settings)
    return response


# --- changing the password -------------------------------------------------------------------


def _password_page(
    request: Request,
    services: AppServices,
    active: ActiveSession,
    *,
    errors: dict[str, str] | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    errors = errors or {}
    return page(
        request,
        services,
        "irt/password.html",
        active,
        status_code=status_code,
        field_errors=errors,
        errors=[{"text": text, "href": f"#{field}"} for field, text in errors.items()],
        done=done,
    )


@router.get("/account/password")
def password_page(request: Request, services: ServicesDep, active: StaffSessionDep) -> Response:
    return _password_page(request, services, active, done=request.query_params.get("done") == "1")


@router.post("/account/password")
def change_password(
    *,
    request: Request,
    services: ServicesDep,
    active: CheckedForm,
    current_password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
    code: Annotated[str, Form(max_length=MAX_CODE_LENGTH)] = "",
    new_password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
    confirm_password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
) -> Response:
    errors: dict[str, str] = {}
    try:
        check_password_policy(new_password)
    except PasswordPolicyError as error:
        errors["new-password"] = "The new password: " + str(error).removeprefix("the password ")
    if new_password != confirm_password:
        errors["confirm-password"] = "The two new passwords are different"
    if not errors and not reauthenticate(services, active, current_password, code):
        errors["current-password"] = REAUTHENTICATION_REFUSED
    if errors:
        return _password_page(request, services, active, errors=errors)
    with services.sessions.begin() as session:
        staff = StaffRepository(session)
        staff.set_password(
            active.member.user_id, services.passwords.hash(new_password), services.clock.now()
        )
        staff.end_other_sessions(active.member.user_id, active.session_id)
        _audit(session, services, active.member.username, AuditAction.PASSWORD_CHANGED)
    return RedirectResponse("/irt/account/password?done=1", status_code=303)


def reauthenticate(
    services: AppServices, active: ActiveSession, password: str, code: str
) -> bool:
    """The signed-in member's password and a fresh code again, before something that cannot
    be undone (an erasure) or that changes how they sign in. A failure is audited and counts
    towards the account's sign-in limit (PCL_RATE_LIMIT_SIGN_IN_ACCOUNT)."""
    if not services.sign_in_slots.acquire(blocking=False):
        return False
    try:
        with services.sessions.begin() as session:
            staff = StaffRepository(session)
            account = staff.find(active.member.username)
            if account is None:
                return False
            matches, _ = services.passwords.verify(password, account.password_hash)
            factor = SecondFactor(staff, services.cipher)
            ok = matches and factor.check(account, code, services.clock.now())
            if not ok:
                services.limits.sign_in_failure(account.username)
                _audit(
                    session, services, active.member.username, AuditAction.REAUTHENTICATION_FAILED
                )
            return ok
    finally:
        services.sign_in_slots.release()
