"""The web side of staff sign-in: the session cookie, CSRF tokens, and what an anonymous or
unauthorised request gets (the rules themselves are in bot.services.staff_auth).

- The cookie `pcl_staff` holds a random value whose SHA-256 is the session's id; HttpOnly,
  SameSite=Lax, path /irt, Secure outside development and test, where it is named
  `__Host-pcl_staff` (path /): the prefix binds it to this host, so no sibling domain can set
  or overwrite it. No expiry of its own: the
  server ends the session (30 minutes idle, 8 hours in all) whatever the browser keeps.
- Every form carries the session's CSRF token in a hidden field, and every JSON POST sends it
  as `X-CSRF-Token`; without it the answer is 403. The sign-in form, before there is a session,
  uses a double-submit token in its own short-lived cookie.
- Anonymous: 401 under /irt/api/, a redirect to the sign-in page elsewhere. A role that is not
  enough: 403.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from bot.adapters.settings import Settings

COOKIE = "pcl_staff"
COOKIE_PATH = "/irt"
SIGN_IN_COOKIE = "pcl_staff_sign_in"
SIGN_IN_PATH = "/irt/sign-in"
ENROL_PATH = "/irt/enrol"
CSRF_HEADER = "X-CSRF-Token"
API_PREFIX = "/irt/api/"
HOME = "/irt"
# The sign-in form's own token lives as long as someone might take to fill it in.
SIGN_IN_TOKEN_SECONDS = 3600
NOT_SIGNED_IN = "Sign in first"
CSRF_REFUSED = "This form or request did not carry the right security token"


class SignInRequired(Exception):
    """A page asked for without a valid session: the browser goes to the sign-in page."""

    def __init__(self, back_to: str | None) -> None:
        super().__init__("sign in required")
        self.back_to = back_to


class EnrolmentRequired(Exception):
    """A session that has not passed the second factor asked for another page."""


class StaffPageError(Exception):
    """A staff page that cannot be shown: rendered as a page with this status."""

    def __init__(self, status_code: int, title: str, message: str) -> None:
        super().__init__(title)
        self.status_code = status_code
        self.title = title
        self.message = message


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def cookie_is_secure(settings: Settings) -> bool:
    return settings.env not in ("development", "test")


def _named(name: str, path: str, settings: Settings) -> tuple[str, str]:
    """A cookie's name and path: `__Host-` prefixed with the path / when it is Secure."""
    return ("__Host-" + name, "/") if cookie_is_secure(settings) else (name, path)


def _settings_of(request: Request) -> Settings:
    return request.app.state.services.settings


def session_token(request: Request) -> str | None:
    """The session cookie's value, under this environment's name."""
    return request.cookies.get(_named(COOKIE, COOKIE_PATH, _settings_of(request))[0])


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    name, path = _named(COOKIE, COOKIE_PATH, settings)
    response.set_cookie(
        name, token, path=path, httponly=True, samesite="lax", secure=cookie_is_secure(settings)
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    name, path = _named(COOKIE, COOKIE_PATH, settings)
    response.delete_cookie(
        name, path=path, httponly=True, samesite="lax", secure=cookie_is_secure(settings)
    )


def sign_in_cookie(request: Request) -> str | None:
    return request.cookies.get(_named(SIGN_IN_COOKIE, SIGN_IN_PATH, _settings_of(request))[0])


def sign_in_token(request: Request) -> str:
    """The sign-in form's double-submit token: the cookie's, or a new one."""
    token = sign_in_cookie(request) or ""
    return token if 20 <= len(token) <= 100 else secrets.token_urlsafe(32)


def set_sign_in_cookie(response: Response, token: str, settings: Settings) -> None:
    name, path = _named(SIGN_IN_COOKIE, SIGN_IN_PATH, settings)
    response.set_cookie(
        name,
        token,
        max_age=SIGN_IN_TOKEN_SECONDS,
        path=path,
        httponly=True,
        samesite="strict",
        secure=cookie_is_secure(settings),
    )


def clear_sign_in_cookie(response: Response, settings: Settings) -> None:
    name, path = _named(SIGN_IN_COOKIE, SIGN_IN_PATH, settings)
    response.delete_cookie(
        name, path=path, httponly=True, samesite="strict", secure=cookie_is_secure(settings)
    )


def tokens_match(given: str | None, expected: str | None) -> bool:
    if not given or not expected:
        return False
    return secrets.compare_digest(given.encode(), expected.encode())


def safe_back_to(target: str | None) -> str:
    """Where to go after signing in: a staff page of this site, never anywhere else."""
    if not target:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not target.startswith(HOME):
        return HOME
    if target.startswith(API_PREFIX) or target.startswith(SIGN_IN_PATH):
        return HOME
    path = parts.path
    if path != HOME and not path.startswith(HOME + "/"):
        return HOME
    return target


def redirect_to_enrolment(request: Request, error: Exception) -> Response:
    return RedirectResponse(ENROL_PATH, status_code=303)


def redirect_to_sign_in(request: Request, error: Exception) -> Response:
    back_to = error.back_to if isinstance(error, SignInRequired) else None
    location = SIGN_IN_PATH
    if back_to and safe_back_to(back_to) == back_to and back_to != HOME:
        location += "?next=" + quote(back_to, safe="/")
    response = RedirectResponse(location, status_code=303)
    if session_token(request) is not None:
        clear_session_cookie(response, request.app.state.services.settings)
    return response
