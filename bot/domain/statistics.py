"""Anonymous statistics: the events operational managers count, with nothing that identifies
anyone (no conversation id, no content). Written and read by bot.adapters.db.statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

CHANNELS = ("web", "sms")


class StatEvent(StrEnum):
    CONVERSATION_STARTED = "conversation_started"
    CLOSED_ATTEMPT = "closed_attempt"
    SCENARIO_ADVICE = "scenario_advice"
    NAMED_CHILD_CONTACT = "named_child_contact"
    SIGNIFICANT_HARM = "significant_harm"
    PUBLIC_REDIRECTED = "public_redirected"
    DHCFT_OFFERED = "dhcft_offered"
    FEEDBACK = "feedback"


@dataclass(frozen=True)
class StatEntry:
    event: StatEvent
    at: datetime
    channel: str
    topic: str | None = None
    suggested_level: str | None = None
