"""The greeting, and the closed message for a conversation begun outside the line's hours."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import facts, latest_intent, latest_text, line_open, now, say
from actions.slots import Slot
from bot.domain import messages
from bot.domain.consultation import (
    DHCFT,
    PROFESSIONAL,
    early_concern,
    role_from,
)
from bot.domain.limits import MAX_CONCERN_CHARS
from bot.domain.validation import clean_text


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not line_open(tracker):
            say(dispatcher, messages.closed(facts(), now()))
            return []
        # Begun before opening and carried on after it: open from now on (§5.10). The rule that
        # ran this was the closed line's, so the consultation is started here.
        opened: list[EventType] = []
        if not tracker.get_slot(Slot.LINE_OPEN):
            opened = [SlotSet(Slot.LINE_OPEN, True), FollowupAction("consultation_form")]
        if tracker.get_slot(Slot.CONSULTATION_DONE):
            dispatcher.utter_message(
                text="Hello again. Type 'start again' to begin a new consultation."
            )
            return []
        say(dispatcher, [messages.welcome(facts())])
        intent, text = latest_intent(tracker), latest_text(tracker)
        events: list[EventType] = []
        concern = early_concern(intent, text, tracker.get_slot(Slot.CONCERN))
        if concern:
            events.append(SlotSet(Slot.CONCERN, clean_text(concern, max_chars=MAX_CONCERN_CHARS)))
        # An opening such as "I'm a DSL at…" or "HV here - mum has asked…" already answers
        # the first question; family words never make the caller the public here.
        role = role_from(intent, "" if text.startswith("/") else text)
        if role in (PROFESSIONAL, DHCFT) and not tracker.get_slot(Slot.ROLE_TYPE):
            # The form validates this answer next, and offers DHCFT staff their line then.
            events.append(SlotSet(Slot.ROLE_TYPE, role))
        return [*events, *opened]
