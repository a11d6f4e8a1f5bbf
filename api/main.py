"""The application factory: routers, middleware and the services built at start-up."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.routes import chat, health, irt, pages, sms
from api.security import SecurityHeaders
from api.services import AppServices
from api.sms_turns import twiml
from api.templating import STATIC_DIR
from bot.adapters.settings import Settings, get_settings
from bot.domain.messages import assistant_unavailable

logger = logging.getLogger("api.request")

MAX_BODY_BYTES = 1024 * 1024


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = AppServices.build(settings)
        yield
        await app.state.services.close()

    app = FastAPI(
        title="Professional Consultation Line",
        lifespan=lifespan,
        docs_url=None if settings.env == "production" else "/docs",
        redoc_url=None,
        # The schema describes the staff API: not published in production.
        openapi_url=None if settings.env == "production" else "/openapi.json",
        # Far above any chat message (2,000 characters) or Twilio form (a few kB), counted as
        # the body arrives, so a chunked body with no length cannot fill the memory either.
        max_body_size=MAX_BODY_BYTES,
    )
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(sms.router)
    app.include_router(pages.router)
    app.include_router(pages.service_pages)
    app.include_router(irt.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(RequestLog)  # the innermost, as before
    app.add_exception_handler(RequestValidationError, unreadable_request)
    app.add_exception_handler(HTTPException, http_error)
    irt.add_exception_handlers(app)
    # Inside the security headers, so that an unexpected error's answer carries them too (an
    # exception handler for Exception would run in Starlette's outermost middleware, outside
    # them, and uvicorn would then log the whole traceback).
    app.add_middleware(UnexpectedErrors)
    # Added last, so outermost: every response gets the security headers.
    app.add_middleware(
        SecurityHeaders,
        frame_ancestors=settings.frame_ancestors,
        hsts=settings.env == "production",
    )
    return app


# Starlette's request-body limit signals with private exceptions that must pass through.
_BODY_LIMIT_SIGNALS = "starlette.middleware.body_limit"


class UnexpectedErrors:
    """Answers an exception no route handled (unexpected_error) instead of letting it reach
    the server, which would log its traceback, with the values in it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if type(error).__module__ == _BODY_LIMIT_SIGNALS:
                raise  # the body-size limit's own signals, answered (413) further out
            request = Request(scope)
            if started:  # too late for another answer: only the type is logged
                logger.error(
                    "unhandled %s on %s after the answer began",
                    type(error).__name__,
                    request.url.path,
                )
                return
            response = await unexpected_error(request, error)
            await response(scope, receive, send)


class RequestLog:
    """One line per request: method, route, status, time and a pseudonymous conversation id.
    Never the body, the query string, the client's address or cookies.

    A plain ASGI middleware: Starlette's `@app.middleware("http")` (BaseHTTPMiddleware) runs
    the rest of the app in a task of its own with memory streams between, about a millisecond
    of the API's CPU on every turn."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def status_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, status_send)
        # A route sets request.state.log_id, which Starlette keeps in scope["state"].
        state = scope.get("state") or {}
        logger.info(
            "%s %s %s %.1fms conversation=%s",
            scope["method"],
            getattr(scope.get("route"), "path", "unmatched"),
            status,
            (time.perf_counter() - started) * 1000,
            state.get("log_id", "-"),
        )


UNREADABLE = "Sorry, I couldn't read that message. Please type it again."
TOO_LARGE = "That message is far too long for me to read. Please send it in shorter parts."


async def unexpected_error(request: Request, error: Exception) -> Response:
    """Never silence, never a bare 500 to a caller: a failure in the chat or SMS path (the
    database down, say) still answers with the urgent routes. Only the error's type is logged."""
    logger.error("unhandled %s on %s", type(error).__name__, request.url.path)
    services: AppServices = request.app.state.services
    urgent = assistant_unavailable(services.facts, services.clock.now())
    if request.url.path.startswith("/chat/api"):
        return chat.reply(503, urgent)
    if request.url.path.startswith("/sms/"):
        return Response(twiml([urgent]), media_type="application/xml")
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)


async def http_error(request: Request, error: Exception) -> JSONResponse:
    status = error.status_code if isinstance(error, HTTPException) else 500
    if request.url.path.startswith("/chat/api"):
        return chat.reply(status, TOO_LARGE if status == 413 else UNREADABLE)
    detail = error.detail if isinstance(error, HTTPException) else "error"
    headers = getattr(error, "headers", None)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def unreadable_request(request: Request, error: Exception) -> JSONResponse:
    if request.url.path.startswith("/chat/api"):
        return chat.reply(422, UNREADABLE)
    # FastAPI's own shape elsewhere, without echoing the input back.
    errors = error.errors() if isinstance(error, RequestValidationError) else []
    detail = [{"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")} for e in errors]
    return JSONResponse({"detail": detail}, status_code=422)
