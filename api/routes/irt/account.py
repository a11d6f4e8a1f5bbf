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
from bot.domain.staff import MAX_PASSWORD_LENGTH
from bot.services import staff_auth
from bot.services.staff_auth import ActiveSession

router = APIRouter(prefix="/irt", include_in_schema=False)

MAX_CODE_LENGTH = 40
REAUTHENTICATION_REFUSED = "Your password or the code is not right"
WRONG_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now."


# --- enrolling the second factor -------------------------------------------------------------


def _enrol_page(
    request: Request,
    services: AppServices,
    active: ActiveSession,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    enrolment = staff_auth.enrolment(
        services.unit_of_work(), services.sign_in_tools(), active.member
    )
    return page(
        request,
        services,
        "irt/enrol.html",
        None,  # no navigation: nothing else is open to this session yet
        status_code=status_code,
        csrf_token_value=active.csrf_token,
        secret=enrolment.secret,
        uri=enrolment.uri,
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
    enrolled = staff_auth.enrol(
        services.unit_of_work(),
        services.sign_in_tools(),
        active.member,
        code,
        old_token=session_token(request),
    )
    if enrolled is None:
        return _enrol_page(request, services, active, error=WRONG_CODE, status_code=200)
    response = page(
        request,
        services,
        "irt/recovery_codes.html",
        None,
        recovery_codes=enrolled.recovery_codes,
    )
    set_session_cookie(response, enrolled.token, services.settings)
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
    refused = staff_auth.change_password(
        services.unit_of_work(),
        services.sign_in_tools(),
        active,
        current_password=current_password,
        code=code,
        new_password=new_password,
        confirm_password=confirm_password,
    )
    if refused is None:
        return RedirectResponse("/irt/account/password?done=1", status_code=303)
    errors: dict[str, str] = {}
    if refused.weak is not None:
        errors["new-password"] = "The new password: " + refused.weak.removeprefix("the password ")
    if refused.mismatch:
        errors["confirm-password"] = "The two new passwords are different"
    if refused.refused:
        errors["current-password"] = REAUTHENTICATION_REFUSED
    return _password_page(request, services, active, errors=errors)


def reauthenticate(services: AppServices, active: ActiveSession, password: str, code: str) -> bool:
    """bot.services.staff_auth.reauthenticate for the signed-in member (the erasure forms and
    the JSON API's erasure ask it)."""
    return staff_auth.reauthenticate(
        services.unit_of_work(), services.sign_in_tools(), active.member, password, code
    )
