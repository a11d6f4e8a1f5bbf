"""The minimal project's one custom action: sets a slot and sends buttons (rasa_sdk)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionChoose(Action):
    def name(self) -> str:
        return "action_choose"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        said = tracker.latest_message.get("text") or ""
        dispatcher.utter_message(
            text="Which one?",
            buttons=[
                {"title": "The first", "payload": "/choose"},
                {"title": "The second", "payload": "/choose"},
            ],
        )
        return [SlotSet("choice", said)]
