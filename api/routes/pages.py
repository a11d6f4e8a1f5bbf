"""The web chat's pages: `GET /chat` (what the line is for, its hours, a short privacy notice
and the chat itself) and `GET /chat/privacy` (the full privacy notice).

The chat talks to `POST /chat/api/messages` from api/static/chat.js; these routes only render.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from api.deps import ServicesDep
from api.routes.chat import MAX_TEXT_CHARS
from api.templating import render
from bot.domain.facts import ServiceFacts
from bot.domain.hours import describe_opening_hours, format_clock_time
from bot.domain.messages import privacy_text

router = APIRouter(prefix="/chat", tags=["pages"], include_in_schema=False)


def _page_facts(facts: ServiceFacts) -> dict[str, Any]:
    """Everything the pages state about the service, from the service file only."""
    return {
        "facts": facts,
        "council_name": facts.council.name,
        "service_name": facts.council.service_name,
        "opening_hours": describe_opening_hours(facts),
        "irt_hours": (
            f"{format_clock_time(facts.irt.opens)} to {format_clock_time(facts.irt.closes)}"
        ),
    }


@router.get("")
async def chat_page(request: Request, services: ServicesDep) -> Response:
    return render(
        request,
        "chat.html",
        {
            **_page_facts(services.facts),
            "privacy_summary": privacy_text(),
            "max_text_chars": MAX_TEXT_CHARS,
        },
    )


@router.get("/privacy")
async def privacy_page(request: Request, services: ServicesDep) -> Response:
    return render(request, "privacy.html", _page_facts(services.facts))
