"""Dependency aliases for the routes (FastAPI's `Annotated` style)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Header, HTTPException, Request
from fastapi.security import APIKeyCookie

from api.services import AppServices
from api.staff_cookies import (
    COOKIE,
    CSRF_HEADER,
    CSRF_REFUSED,
    NOT_SIGNED_IN,
    EnrolmentRequired,
    SignInRequired,
    StaffPageError,
    is_api,
    session_token,
    tokens_match,
)
from bot.domain.staff import Role
from bot.services.staff_auth import ActiveSession, StaffMember, resume_session


async def get_services(request: Request) -> AppServices:
    # async, so FastAPI calls it on the event loop rather than in a worker thread per request.
    return request.app.state.services


ServicesDep = Annotated[AppServices, Depends(get_services)]

# --- staff: the IRT review pages and API (api/staff_cookies.py says how) ----------------------

# Declared as a security scheme, so the OpenAPI schema says how the staff API authenticates.
_session_cookie = APIKeyCookie(
    name=COOKIE,
    auto_error=False,
    description="The session cookie set by POST /irt/api/login (or the sign-in page).",
)
# A page's own background polling sends this, so that it does not keep an idle session alive.
BACKGROUND_HEADER = "X-PCL-Background"


def any_session(
    request: Request,
    services: ServicesDep,
    declared: Annotated[str | None, Depends(_session_cookie)],
) -> ActiveSession:
    """The caller's valid session, whether or not it has passed the second factor yet. (The
    cookie is read under this environment's name: `__Host-pcl_staff` in production; the
    declared scheme documents the development name.)"""
    token = session_token(request)
    active = None
    if token and len(token) <= 128:
        touch = request.headers.get(BACKGROUND_HEADER) != "1"
        active = resume_session(
            services.unit_of_work(),
            services.clock,
            token,
            touch=touch,
            idle_timeout=services.settings.staff_idle_timeout,
        )
    if active is None:
        if is_api(request):
            raise HTTPException(401, NOT_SIGNED_IN)
        back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(back_to if request.method == "GET" else None)
    request.state.staff = active
    return active


AnySessionDep = Annotated[ActiveSession, Depends(any_session)]


def current_session(request: Request, active: AnySessionDep) -> ActiveSession:
    """The caller's valid session, past the second factor: a session that has still to enrol
    it is sent to the enrolment page (401 in the API)."""
    if not active.second_factor:
        if is_api(request):
            raise HTTPException(401, NOT_SIGNED_IN)
        raise EnrolmentRequired()
    return active


StaffSessionDep = Annotated[ActiveSession, Depends(current_session)]


def current_user(active: StaffSessionDep) -> StaffMember:
    return active.member


CurrentUser = Annotated[StaffMember, Depends(current_user)]


def require_role(*roles: Role) -> Callable[..., StaffMember]:
    """A dependency that lets through only these roles (403 for any other)."""

    def check(request: Request, member: CurrentUser) -> StaffMember:
        if member.role not in roles:
            if is_api(request):
                raise HTTPException(403, "Your account's role does not allow this")
            raise StaffPageError(
                403,
                "You cannot see this page",
                "This page is for administrators. Ask one if you need something done here.",
            )
        return member

    return check


AdminUser = Annotated[StaffMember, Depends(require_role(Role.ADMIN))]


def _refuse_csrf(request: Request) -> None:
    if is_api(request):
        raise HTTPException(403, CSRF_REFUSED)
    raise StaffPageError(
        403,
        "Your form could not be sent",
        "The form was out of date or did not come from this service. Go back, reload the "
        "page and try again.",
    )


def form_csrf(
    request: Request,
    active: StaffSessionDep,
    csrf_token: Annotated[str, Form()] = "",
) -> ActiveSession:
    """A form POST from a signed-in page: its hidden token must be the session's."""
    if not tokens_match(csrf_token, active.csrf_token):
        _refuse_csrf(request)
    return active


def header_csrf(
    request: Request,
    active: StaffSessionDep,
    x_csrf_token: Annotated[
        str, Header(alias=CSRF_HEADER, description="The csrf_token the login returned.")
    ] = "",
) -> ActiveSession:
    """A JSON POST: the session's CSRF token in the X-CSRF-Token header."""
    if not tokens_match(x_csrf_token, active.csrf_token):
        _refuse_csrf(request)
    return active


CheckedForm = Annotated[ActiveSession, Depends(form_csrf)]


def enrolment_csrf(
    request: Request,
    active: AnySessionDep,
    csrf_token: Annotated[str, Form()] = "",
) -> ActiveSession:
    """The enrolment form's POST: a session not yet past the second factor may send it."""
    if not tokens_match(csrf_token, active.csrf_token):
        _refuse_csrf(request)
    return active


CheckedEnrolmentForm = Annotated[ActiveSession, Depends(enrolment_csrf)]
CheckedApiPost = Annotated[ActiveSession, Depends(header_csrf)]
