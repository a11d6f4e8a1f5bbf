"""Signing in and out: the sign-in page (`GET/POST /irt/sign-in`, `POST /irt/sign-out`) and
the JSON API's `POST /irt/api/login` and `POST /irt/api/logout`.

Both ways use the same authenticator, session and cookie, and write one audit event each time:
`sign_in`, or `sign_in_failed` with the account's name ("unknown" when there is no such account)
and never the password. Whatever was wrong, the answer is the same (bot.services.staff_auth).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from api.deps import CheckedApiPost, CheckedForm, ServicesDep, StaffSessionDep
from api.irt_pages import describe_duration, page
from api.problems import UNREADABLE_BODY, Problem
from api.rate_limits import SIGN_IN_BUSY, SIGN_IN_LIMITED
from api.services import AppServices
from api.staff_cookies import (
    ENROL_PATH,
    HOME,
    clear_session_cookie,
    clear_sign_in_cookie,
    is_api,
    safe_back_to,
    session_token,
    set_session_cookie,
    set_sign_in_cookie,
    sign_in_cookie,
    sign_in_token,
    tokens_match,
)
from bot.adapters.settings import Settings
from bot.domain.staff import MAX_PASSWORD_LENGTH, Role
from bot.services.staff_auth import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    SIGN_IN_REFUSED,
    ActiveSession,
    SignedIn,
    SignInLimited,
    StaffMember,
    idle_seconds_left,
    sign_in,
    sign_out,
)

pages = APIRouter(prefix="/irt", include_in_schema=False)
api = APIRouter(prefix="/irt/api", tags=["IRT: sign-in"])

MAX_USERNAME_LENGTH = 200
MAX_CODE_LENGTH = 40


def _sign_in(
    request: Request,
    services: AppServices,
    username: str,
    password: str,
    otp: str,
    *,
    via: str,
) -> SignedIn | None:
    """bot.services.staff_auth.sign_in for this request: its client and its old session."""
    return sign_in(
        services.unit_of_work(),
        services.sign_in_tools(),
        username,
        password,
        otp,
        client=services.limits.client_of(request),
        via=via,
        old_token=session_token(request),
    )


def limited_response(request: Request, error: Exception) -> Response:
    """A sign-in refused before any check: 429 (too many) or 503 (too many at once)."""
    assert isinstance(error, SignInLimited)
    headers = {"Retry-After": str(error.retry_after)}
    status_code, message = (503, SIGN_IN_BUSY) if error.busy else (429, SIGN_IN_LIMITED)
    if is_api(request):
        return JSONResponse({"detail": message}, status_code, headers=headers)
    services: AppServices = request.app.state.services
    response = _sign_in_page(
        request,
        services,
        back_to=HOME,
        errors=[{"text": message, "href": "#username"}],
        status_code=status_code,
    )
    response.headers.update(headers)
    return response


# --- the sign-in page -----------------------------------------------------------------------


def _sign_in_page(
    request: Request,
    services: AppServices,
    *,
    back_to: str,
    username: str = "",
    errors: list[dict[str, str]] | None = None,
    field_errors: dict[str, str] | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    token = sign_in_token(request)
    response = page(
        request,
        services,
        "irt/sign_in.html",
        None,
        status_code=status_code,
        sign_in_token=token,
        back_to=back_to,
        username=username,
        errors=errors or [],
        field_errors=field_errors or {},
        notice=notice,
    )
    set_sign_in_cookie(response, token, services.settings)
    return response


def timed_out_notice(settings: Settings) -> str:
    return (
        "You were signed out because you had not used these pages for "
        f"{describe_duration(settings.staff_idle_timeout_seconds)}. Sign in again to carry on. "
        "A decision's rationale you had started is kept in this browser tab and put back in "
        "the form when you return to the contact."
    )


@pages.get("/sign-in")
def sign_in_page(
    request: Request,
    services: ServicesDep,
    next: str = "",
    signed_out: bool = False,
    timed_out: bool = False,
) -> Response:
    notice = None
    if timed_out:
        notice = timed_out_notice(services.settings)
    elif signed_out:
        notice = "You have signed out."
    return _sign_in_page(request, services, back_to=safe_back_to(next), notice=notice)


@pages.post("/sign-in")
def sign_in_form(
    *,
    request: Request,
    services: ServicesDep,
    username: Annotated[str, Form(max_length=MAX_USERNAME_LENGTH)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
    otp: Annotated[str, Form(max_length=MAX_CODE_LENGTH)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    back_to = safe_back_to(next)
    if not tokens_match(csrf_token, sign_in_cookie(request)):
        message = "The sign-in page had expired or did not come from this service. Sign in again."
        return _sign_in_page(
            request,
            services,
            back_to=back_to,
            username=username,
            errors=[{"text": message, "href": "#username"}],
            status_code=403,
        )
    field_errors = {}
    if not username.strip():
        field_errors["username"] = "Enter your username"
    if not password:
        field_errors["password"] = "Enter your password"  # noqa: S105 - a message
    if field_errors:
        errors = [{"text": text, "href": f"#{field}"} for field, text in field_errors.items()]
        return _sign_in_page(
            request,
            services,
            back_to=back_to,
            username=username,
            errors=errors,
            field_errors=field_errors,
        )
    signed_in = _sign_in(request, services, username, password, otp, via="form")
    if signed_in is None:
        return _sign_in_page(
            request,
            services,
            back_to=back_to,
            username=username,
            errors=[{"text": SIGN_IN_REFUSED, "href": "#username"}],
        )
    if not signed_in.second_factor:
        back_to = ENROL_PATH
    response = RedirectResponse(back_to, status_code=303)
    set_session_cookie(response, signed_in.token, services.settings)
    clear_sign_in_cookie(response, services.settings)
    return response


@pages.post("/sign-out")
def sign_out_form(request: Request, services: ServicesDep, active: CheckedForm) -> Response:
    sign_out(
        services.unit_of_work(), services.clock, session_token(request), active.member, via="form"
    )
    response = RedirectResponse("/irt/sign-in?signed_out=true", status_code=303)
    clear_session_cookie(response, services.settings)
    return response


# --- the JSON API ---------------------------------------------------------------------------


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=MAX_USERNAME_LENGTH)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    otp: str = Field(
        default="",
        max_length=MAX_CODE_LENGTH,
        description="The 6-digit code from the account's authenticator (the otpauth:// URI "
        "`python -m api.users add` printed), or one of its recovery codes.",
    )


class SessionOut(BaseModel):
    username: str
    role: Role
    csrf_token: str = Field(description="Send it as the X-CSRF-Token header on every POST.")
    idle_timeout_seconds: int = int(IDLE_TIMEOUT.total_seconds())
    absolute_timeout_seconds: int = int(ABSOLUTE_TIMEOUT.total_seconds())
    idle_seconds_left: int | None = Field(
        default=None,
        description="Seconds until the session ends unless a request counts as activity "
        "(the staff pages' timeout warning asks with X-PCL-Background: 1, which does not).",
    )

    @classmethod
    def of(
        cls, member: StaffMember, csrf_token: str, settings: Settings, seconds_left: int | None
    ) -> SessionOut:
        return cls(
            username=member.username,
            role=member.role,
            csrf_token=csrf_token,
            idle_timeout_seconds=settings.staff_idle_timeout_seconds,
            idle_seconds_left=seconds_left,
        )


def _idle_seconds_left(active: ActiveSession, services: AppServices) -> int:
    return idle_seconds_left(active, services.clock.now(), services.settings.staff_idle_timeout)


@api.post(
    "/login",
    response_model=SessionOut,
    responses={
        **UNREADABLE_BODY,
        401: {"model": Problem, "description": "Not signed in, whatever was wrong"},
        429: {"model": Problem, "description": "Too many attempts from here: wait"},
        503: {"model": Problem, "description": "Too many sign-ins at once: try again shortly"},
    },
)
def login(request: Request, credentials: LoginRequest, services: ServicesDep) -> Any:
    """Signs in and sets the `pcl_staff` session cookie (HttpOnly): send it back on every call.
    The second factor is required: `otp`, a code of the account's TOTP secret."""
    signed_in = _sign_in(
        request, services, credentials.username, credentials.password, credentials.otp, via="api"
    )
    if signed_in is None:
        return JSONResponse({"detail": SIGN_IN_REFUSED}, status_code=401)
    body = SessionOut.of(
        signed_in.member,
        signed_in.csrf_token,
        services.settings,
        services.settings.staff_idle_timeout_seconds,
    )
    response = JSONResponse(body.model_dump(mode="json"))
    set_session_cookie(response, signed_in.token, services.settings)
    return response


@api.get("/session", response_model=SessionOut, responses={401: {"model": Problem}})
def current_session_info(active: StaffSessionDep, services: ServicesDep) -> SessionOut:
    """Who is signed in, the session's CSRF token and how long it has left."""
    left = _idle_seconds_left(active, services)
    return SessionOut.of(active.member, active.csrf_token, services.settings, left)


@api.post(
    "/session/refresh",
    response_model=SessionOut,
    responses={401: {"model": Problem}, 403: {"model": Problem}},
)
def refresh_session(active: CheckedApiPost, services: ServicesDep) -> SessionOut:
    """Counts as activity, so the idle timeout starts again (the staff pages' "Stay signed
    in"; needs the X-CSRF-Token header). The 8-hour limit still holds."""
    left = _idle_seconds_left(active, services)
    return SessionOut.of(active.member, active.csrf_token, services.settings, left)


@api.post("/logout", status_code=204, responses={401: {"model": Problem}, 403: {"model": Problem}})
def logout(request: Request, services: ServicesDep, active: CheckedApiPost) -> Response:
    """Ends the session (needs the X-CSRF-Token header)."""
    sign_out(
        services.unit_of_work(), services.clock, session_token(request), active.member, via="api"
    )
    response = Response(status_code=204)
    clear_session_cookie(response, services.settings)
    return response
