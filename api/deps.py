"""Dependency aliases for the routes (FastAPI's `Annotated` style)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.services import AppServices


def get_services(request: Request) -> AppServices:
    return request.app.state.services


ServicesDep = Annotated[AppServices, Depends(get_services)]
