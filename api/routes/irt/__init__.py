"""The IRT review (SPEC §6, §8): staff pages under /irt and the staff JSON API under /irt/api,
one router per resource. Every route but signing in needs a valid session (api.deps)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from api.irt_pages import error_page
from api.routes.irt import (
    account,
    accounts,
    audit,
    contacts,
    contacts_api,
    sessions,
    stats,
    users,
)
from api.staff_cookies import (
    EnrolmentRequired,
    SignInRequired,
    StaffPageError,
    redirect_to_enrolment,
    redirect_to_sign_in,
)

router = APIRouter()
for part in (
    sessions.pages,
    sessions.api,
    contacts.router,
    contacts_api.router,
    audit.pages,
    audit.api,
    stats.pages,
    stats.api,
    users.router,
    accounts.router,
    account.router,
):
    router.include_router(part)

# Routes a session may use before it has passed the second factor (api.deps.any_session).
ENROLMENT_ROUTES = frozenset({("GET", "/irt/enrol"), ("POST", "/irt/enrol")})

# Routes anyone may call: the way in.
PUBLIC_ROUTES = frozenset({("GET", "/irt/sign-in"), ("POST", "/irt/sign-in"),
                           ("POST", "/irt/api/login")})


def add_exception_handlers(app: FastAPI) -> None:
    """A page without a session redirects to the sign-in page; a refused page is a page."""
    app.add_exception_handler(SignInRequired, redirect_to_sign_in)
    app.add_exception_handler(EnrolmentRequired, redirect_to_enrolment)
    app.add_exception_handler(StaffPageError, error_page)
    app.add_exception_handler(sessions.SignInLimited, sessions.limited_response)
