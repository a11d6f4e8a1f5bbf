"""The greeting, and the closed message for a conversation begun outside the line's hours."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import facts, latest_intent, latest_text, now, say
from bot import messages
from bot.consultation import DHCFT, PROFESSIONAL, role_from
from bot.validation import clean_text

# A first message this long, or classified as a concern, is kept as the concern (rule 14).
CONCERN_MIN_WORDS = 8


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not tracker.get_slot("line_open"):
            say(dispatcher, messages.closed(facts(), now()))
            return []
        if tracker.get_slot("consultation_done"):
            dispatcher.utter_message(
                text="Hello again. Type 'start again' to begin a new consultation."
            )
            return []
        say(dispatcher, [messages.welcome(facts())])
        intent, text = latest_intent(tracker), latest_text(tracker)
        events: list[EventType] = []
        if (
            text.strip()
            and not text.startswith("/")
            and not tracker.get_slot("concern")
            and (intent == "describe_concern" or len(text.split()) >= CONCERN_MIN_WORDS)
        ):
            events.append(SlotSet("concern", clean_text(text, max_chars=2000)))
        # An opening such as "I'm a DSL at…" or "HV here - mum has asked…" already answers
        # the first question; family words never make the caller the public here.
        role = role_from(intent, "" if text.startswith("/") else text)
        if role in (PROFESSIONAL, DHCFT) and not tracker.get_slot("role_type"):
            # The form validates this answer next, and offers DHCFT staff their line then.
            events.append(SlotSet("role_type", role))
        return events
