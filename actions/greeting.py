"""The greeting: what the line is, and whether it is open now."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.services import get_services
from bot.hours import describe_opening_hours


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        facts = get_services().facts
        hours = describe_opening_hours(facts)
        state = "open now" if tracker.get_slot("line_open") else "closed now"
        dispatcher.utter_message(
            text=(
                f"Hello. This is {facts.council.name}'s {facts.council.service_name}, "
                f"for professionals worried about a child. We're {state}: "
                f"our hours are {hours}."
            )
        )
        return []
