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
from api.irt_pages import page
from api.problems import UNREADABLE_BODY, Problem
from api.services import AppServices
from api.staff_cookies import (
    COOKIE,
    SIGN_IN_COOKIE,
    clear_session_cookie,
    clear_sign_in_cookie,
    safe_back_to,
    set_session_cookie,
    set_sign_in_cookie,
    sign_in_token,
    tokens_match,
)
from bot.adapters.passwords import MAX_PASSWORD_LENGTH
from bot.domain.staff import Role
from bot.services.staff_auth import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    SIGN_IN_REFUSED,
    sign_in,
    sign_out,
)

pages = APIRouter(prefix="/irt", include_in_schema=False)
api = APIRouter(prefix="/irt/api", tags=["IRT: sign-in"])

MAX_USERNAME_LENGTH = 200


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


@pages.get("/sign-in")
def sign_in_page(
    request: Request, services: ServicesDep, next: str = "", signed_out: bool = False
) -> Response:
    return _sign_in_page(
        request,
        services,
        back_to=safe_back_to(next),
        notice="You have signed out." if signed_out else None,
    )


@pages.post("/sign-in")
def sign_in_form(
    *,
    request: Request,
    services: ServicesDep,
    username: Annotated[str, Form(max_length=MAX_USERNAME_LENGTH)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    back_to = safe_back_to(next)
    if not tokens_match(csrf_token, request.cookies.get(SIGN_IN_COOKIE)):
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
    signed_in = sign_in(
        services.unit_of_work(),
        services.passwords,
        services.clock,
        username,
        password,
        via="form",
        old_token=request.cookies.get(COOKIE),
    )
    if signed_in is None:
        return _sign_in_page(
            request,
            services,
            back_to=back_to,
            username=username,
            errors=[{"text": SIGN_IN_REFUSED, "href": "#username"}],
        )
    response = RedirectResponse(back_to, status_code=303)
    set_session_cookie(response, signed_in.token, services.settings)
    clear_sign_in_cookie(response, services.settings)
    return response


@pages.post("/sign-out")
def sign_out_form(request: Request, services: ServicesDep, active: CheckedForm) -> Response:
    sign_out(
        services.unit_of_work(),
        services.clock,
        request.cookies.get(COOKIE),
        active.member,
        via="form",
    )
    response = RedirectResponse("/irt/sign-in?signed_out=true", status_code=303)
    clear_session_cookie(response, services.settings)
    return response


# --- the JSON API ---------------------------------------------------------------------------


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=MAX_USERNAME_LENGTH)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class SessionOut(BaseModel):
    username: str
    role: Role
    csrf_token: str = Field(description="Send it as the X-CSRF-Token header on every POST.")
    idle_timeout_seconds: int = int(IDLE_TIMEOUT.total_seconds())
    absolute_timeout_seconds: int = int(ABSOLUTE_TIMEOUT.total_seconds())


@api.post(
    "/login",
    response_model=SessionOut,
    responses={
        **UNREADABLE_BODY,
        401: {"model": Problem, "description": "Not signed in, whatever was wrong"},
    },
)
def login(request: Request, credentials: LoginRequest, services: ServicesDep) -> Any:
    """Signs in and sets the `pcl_staff` session cookie (HttpOnly): send it back on every call."""
    signed_in = sign_in(
        services.unit_of_work(),
        services.passwords,
        services.clock,
        credentials.username,
        credentials.password,
        via="api",
        old_token=request.cookies.get(COOKIE),
    )
    if signed_in is None:
        return JSONResponse({"detail": SIGN_IN_REFUSED}, status_code=401)
    body = SessionOut(
        username=signed_in.member.username,
        role=signed_in.member.role,
        csrf_token=signed_in.csrf_token,
    )
    response = JSONResponse(body.model_dump(mode="json"))
    set_session_cookie(response, signed_in.token, services.settings)
    return response


@api.get("/session", response_model=SessionOut, responses={401: {"model": Problem}})
def current_session_info(active: StaffSessionDep) -> SessionOut:
    """Who is signed in, and the session's CSRF token."""
    return SessionOut(
        username=active.member.username, role=active.member.role, csrf_token=active.csrf_token
    )


@api.post("/logout", status_code=204, responses={401: {"model": Problem}, 403: {"model": Problem}})
def logout(request: Request, services: ServicesDep, active: CheckedApiPost) -> Response:
    """Ends the session (needs the X-CSRF-Token header)."""
    sign_out(
        services.unit_of_work(),
        services.clock,
        request.cookies.get(COOKIE),
        active.member,
        via="api",
    )
    response = Response(status_code=204)
    clear_session_cookie(response, services.settings)
    return response
