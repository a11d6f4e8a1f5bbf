"""Security headers on every response: a Content-Security-Policy with a fresh nonce for each
request (GOV.UK Notify's habit), and the headers that stop sniffing, referrers and framing.

A plain ASGI middleware rather than Starlette's `BaseHTTPMiddleware`, so it wraps every
response the same way: pages, JSON, errors (api.main.UnexpectedErrors answers an unexpected
exception inside it) and the static files' streamed bodies. Only the web chat may be framed
(PCL_FRAME_ANCESTORS); HSTS in production.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NONCE_STATE = "csp_nonce"
# FastAPI's development-only API explorer loads its script and styles from a CDN, which this
# policy forbids; the app does not serve it in production.
_DEVELOPMENT_DOCS = ("/docs", "/docs/oauth2-redirect")


def csp_nonce(request: Request) -> str:
    """The nonce the middleware made for this request, for the page's <script> tags."""
    return request.state.csp_nonce


def content_security_policy(nonce: str, frame_ancestors: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


# Only the web chat may be shown in a council's page (PCL_FRAME_ANCESTORS); the staff pages
# and everything else never.
_FRAMEABLE = ("/chat",)
HSTS = "max-age=31536000; includeSubDomains"


def frameable(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in _FRAMEABLE)


class SecurityHeaders:
    def __init__(
        self, app: ASGIApp, frame_ancestors: str = "'none'", *, hsts: bool = False
    ) -> None:
        self.app = app
        self.frame_ancestors = frame_ancestors
        # Strict-Transport-Security in production, where the service is only ever on HTTPS.
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})[NONCE_STATE] = nonce
        path = scope.get("path", "")
        frame_ancestors = self.frame_ancestors if frameable(path) else "'none'"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if path not in _DEVELOPMENT_DOCS:
                    headers["Content-Security-Policy"] = content_security_policy(
                        nonce, frame_ancestors
                    )
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if frame_ancestors == "'none'":
                    headers["X-Frame-Options"] = "DENY"
                if self.hsts:
                    headers["Strict-Transport-Security"] = HSTS
                # Pages carry a one-time nonce and the API carries conversations: neither is
                # for a cache. Static files keep their validators (ETag, Last-Modified).
                if not path.startswith("/static/") and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
