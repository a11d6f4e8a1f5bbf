"""Conversation start: the line's hours are judged once, when the conversation begins, so a
conversation begun while open may finish after closing (§5.10)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.services import get_services
from actions.slots import Slot
from bot.domain.hours import is_line_open
from bot.domain.statistics import StatEntry, StatEvent
from bot.services.records import count


def channel_of(tracker: Tracker) -> str:
    metadata = tracker.get_slot("session_started_metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return channel if channel in ("web", "sms") else "web"


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        services = get_services()
        now = services.clock.now()
        channel = channel_of(tracker)
        line_open = is_line_open(now, services.facts)
        entries = [StatEntry(StatEvent.CONVERSATION_STARTED, now, channel)]
        if not line_open:
            entries.append(StatEntry(StatEvent.CLOSED_ATTEMPT, now, channel))
        count(services.unit_of_work(), *entries)
        return [
            SessionStarted(),
            SlotSet(Slot.CHANNEL, channel),
            SlotSet(Slot.LINE_OPEN, line_open),
            ActionExecuted("action_listen"),
        ]
