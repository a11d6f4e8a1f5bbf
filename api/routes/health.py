"""`GET /healthz`: 200 when Rasa, the action server and the database all answer; 503 naming
what is down otherwise."""

from __future__ import annotations

import asyncio
from typing import Literal

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import ServicesDep
from api.services import AppServices

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, Literal["ok", "down"]]
    down: list[str]


async def _actions_ready(services: AppServices) -> bool:
    url = services.settings.action_server_url.rstrip("/") + "/health"
    try:
        response = await services.http.get(url, timeout=2.0)
        return response.status_code == 200
    except httpx.HTTPError:
        return False


def _database_ready(services: AppServices) -> bool:
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "down"; the detail is not the caller's business
        return False


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "Not all of Rasa, the actions, the database"}},
)
async def healthz(services: ServicesDep) -> JSONResponse:
    rasa, actions, database = await asyncio.gather(
        services.rasa.is_ready(),
        _actions_ready(services),
        asyncio.to_thread(_database_ready, services),
    )
    checks = {"rasa": rasa, "actions": actions, "database": database}
    down = [name for name, ok in checks.items() if not ok]
    body = {
        "status": "ok" if not down else "unavailable",
        "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
        "down": down,
    }
    return JSONResponse(body, status_code=200 if not down else 503)
