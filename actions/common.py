"""Small helpers every action uses: the clock, the facts, the tracker's answers, replies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import get_services
from actions.slots import Slot
from bot.domain.consultation import ConsultationState
from bot.domain.facts import ServiceFacts
from bot.domain.hours import open_for_conversation


def now() -> datetime:
    return get_services().clock.now()


def facts() -> ServiceFacts:
    return get_services().facts


def say(dispatcher: CollectingDispatcher, texts: Iterable[str]) -> None:
    for text in texts:
        dispatcher.utter_message(text=text)


def buttons(choices: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in choices]


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def channel(tracker: Tracker) -> str:
    return tracker.get_slot(Slot.CHANNEL) or "web"


def line_open(tracker: Tracker) -> bool:
    """Open if the conversation began while open, or the line has opened since (§5.10)."""
    return open_for_conversation(bool(tracker.get_slot(Slot.LINE_OPEN)), now(), facts())


def state_of(tracker: Tracker, **changes: Any) -> ConsultationState:
    """The consultation's state from the tracker's slots, with this turn's changes."""
    slots = {
        "line_open": line_open(tracker),
        "role_type": tracker.get_slot(Slot.ROLE_TYPE),
        "consultation_type": tracker.get_slot(Slot.CONSULTATION_TYPE),
        "significant_harm": bool(tracker.get_slot(Slot.SIGNIFICANT_HARM)),
        "harm_pending": bool(tracker.get_slot(Slot.HARM_PENDING)),
        "done": bool(tracker.get_slot(Slot.CONSULTATION_DONE)),
        "in_city": tracker.get_slot(Slot.CHILD_IN_CITY),
        "open_to_csc": tracker.get_slot(Slot.CHILD_OPEN_TO_CSC),
        "domestic_abuse": tracker.get_slot(Slot.TOPIC) == "domestic_abuse",
        "family_aware": tracker.get_slot(Slot.FAMILY_AWARE),
    }
    slots.update(changes)
    return ConsultationState(**slots)
