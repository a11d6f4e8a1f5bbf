"""The greeting, and the closed message for a conversation begun outside the line's hours."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import facts, latest_intent, now, say
from actions.slots import Slot
from bot.domain import messages
from bot.domain.consultation import role_from


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not tracker.get_slot(Slot.LINE_OPEN):
            say(dispatcher, messages.closed(facts(), now()))
            return []
        if tracker.get_slot(Slot.CONSULTATION_DONE):
            dispatcher.utter_message(
                text="Hello again. Type 'start again' to begin a new consultation."
            )
            return []
        say(dispatcher, [messages.welcome(facts())])
        # An opening such as "I'm a DSL at…" already answers the first question.
        intent = latest_intent(tracker)
        role = role_from(intent, "") if intent in ("professional", "dhcft_health_staff") else None
        if role is None or tracker.get_slot(Slot.ROLE_TYPE):
            return []
        # The form validates this answer next, and offers DHCFT staff their advice line then.
        return [SlotSet(Slot.ROLE_TYPE, role)]
