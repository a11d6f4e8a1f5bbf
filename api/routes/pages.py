"""The public pages: `GET /chat` (what the line is for, whether it is open now, its hours, a
short privacy notice and the chat itself), `GET /chat/privacy` (the full privacy notice), and
the two pages every footer links to, for the chat and the staff pages alike:
`GET /accessibility-statement` (the Public Sector Bodies Accessibility Regulations 2018,
regulation 8, in the shape of GOV.UK's model statement) and `GET /cookies`.

The chat talks to `POST /chat/api/messages` from api/static/chat.js; these routes only render.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from api import staff_cookies as staff_auth
from api.deps import ServicesDep
from api.irt_pages import describe_duration
from api.routes.chat import COOKIE as CONVERSATION_COOKIE
from api.routes.chat import MAX_TEXT_CHARS
from api.templating import render
from bot.domain.facts import ServiceFacts
from bot.domain.hours import LineStatus, describe_opening_hours, format_clock_time, line_status
from bot.domain.messages import line_now, privacy_text
from bot.services.staff_auth import ABSOLUTE_TIMEOUT

router = APIRouter(prefix="/chat", tags=["pages"], include_in_schema=False)
# The pages about the whole service, for the chat's callers and the staff alike.
service_pages = APIRouter(tags=["pages"], include_in_schema=False)

# When the accessibility statement was written and last reviewed (regulation 8 asks for it).
STATEMENT_PREPARED = "6 December 2026"


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
    now = services.clock.now()
    return render(
        request,
        "chat.html",
        {
            **_page_facts(services.facts),
            "privacy_summary": privacy_text(),
            "max_text_chars": MAX_TEXT_CHARS,
            # The same rule and service file as the assistant's first reply (bot.hours).
            "line_now": line_now(services.facts, now),
            "line_open": line_status(now, services.facts) is LineStatus.OPEN,
        },
    )


@router.get("/privacy")
async def privacy_page(request: Request, services: ServicesDep) -> Response:
    return render(request, "privacy.html", _page_facts(services.facts))


@service_pages.get("/accessibility-statement")
async def accessibility_statement(request: Request, services: ServicesDep) -> Response:
    return render(
        request,
        "accessibility.html",
        {
            **_page_facts(services.facts),
            "statement_prepared": STATEMENT_PREPARED,
            "staff_idle": describe_duration(services.settings.staff_idle_timeout_seconds),
            "staff_warning": describe_duration(services.settings.staff_timeout_warning_seconds),
        },
    )


@service_pages.get("/cookies")
async def cookies_page(request: Request, services: ServicesDep) -> Response:
    settings = services.settings
    return render(
        request,
        "cookies.html",
        {
            **_page_facts(services.facts),
            "conversation_cookie": CONVERSATION_COOKIE,
            "staff_cookie": staff_auth.COOKIE,
            "sign_in_cookie": staff_auth.SIGN_IN_COOKIE,
            "sign_in_cookie_lasts": describe_duration(staff_auth.SIGN_IN_TOKEN_SECONDS),
            "staff_idle": describe_duration(settings.staff_idle_timeout_seconds),
            "staff_absolute": describe_duration(int(ABSOLUTE_TIMEOUT.total_seconds())),
        },
    )
