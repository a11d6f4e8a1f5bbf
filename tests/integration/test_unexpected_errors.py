"""An unexpected failure inside the chat or SMS path still answers a caller with the urgent
routes (never silence, never a bare 500); elsewhere it is a plain 500 that shows nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.main import create_app
from api.rasa_client import RasaClient
from api.services import AppServices
from bot.adapters.db.migrations import upgrade_to_head
from tests.integration.test_sms_webhook import make_settings
from tests.support.aio import run_sync
from tests.support.pages import check_security_headers


class BrokenRasa(RasaClient):
    """A failure nobody planned for: not RasaUnavailable, just an error."""

    async def send(self, *_: object, **__: object) -> list[dict[str, object]]:
        raise RuntimeError("a fault nobody planned for")


def app_with_broken_turns(tmp_path: Path) -> FastAPI:
    settings = make_settings(tmp_path)
    upgrade_to_head(settings.database_url)
    app = create_app(settings)
    services = AppServices.build(settings)
    services.rasa = BrokenRasa(settings)
    app.state.services = services
    return app


def post(app: FastAPI, path: str, **kwargs: object) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            return await client.post(path, **kwargs)  # type: ignore[arg-type]

    return run_sync(send())


def test_a_chat_turn_that_fails_unexpectedly_gets_the_urgent_routes(tmp_path: Path) -> None:
    response = post(app_with_broken_turns(tmp_path), "/chat/api/messages", json={"text": "hi"})
    assert response.status_code == 503
    text = response.json()["messages"][0]["text"]
    assert "999" in text and "01332" in text
    assert "a fault nobody planned for" not in response.text
    check_security_headers(response.headers, "an unexpected error in the chat")


def test_an_unexpected_500_carries_the_security_headers_and_logs_no_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_with_broken_turns(tmp_path)

    @app.get("/irt/broken-for-the-test")
    def broken() -> None:
        raise RuntimeError("a value that must not be logged")

    with caplog.at_level(logging.DEBUG):
        response = run_sync(_get(app, "/irt/broken-for-the-test"))
    assert response.status_code == 500 and response.json() == {"detail": "Internal Server Error"}
    check_security_headers(response.headers, "a 500")
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert "RuntimeError" in logged and "a value that must not be logged" not in logged


async def _get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        return await client.get(path)
