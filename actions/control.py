"""The caller's controls at any point: stop, start again, and what happens when the assistant
does not understand (a rephrase request, then the human routes: never a guess)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import facts, now, say
from actions.privacy import forget_conversation
from actions.slots import Slot
from bot.domain import messages
from bot.domain.misses import after_a_miss


class ActionStop(Action):
    def name(self) -> str:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = tracker.get_slot(Slot.CONTACT_REFERENCE)
        if reference:
            dispatcher.utter_message(
                text=f"OK, I've stopped. Contact {reference} is kept for the IRT."
            )
        else:
            dispatcher.utter_message(text="OK, I've stopped.")
        dispatcher.utter_message(text=messages.goodbye(facts()))
        return [ActiveLoop(None), SlotSet("requested_slot", None), *forget_conversation()]


class ActionRestart(Action):
    def name(self) -> str:
        return "action_restart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Starting again is a new conversation: this one is forgotten, not just reset.
        dispatcher.utter_message(
            text="OK, I've cleared this conversation. Send any message to start again."
        )
        return [ActiveLoop(None), AllSlotsReset(), *forget_conversation()]


class ActionFallback(Action):
    """The first miss asks for a rephrase; the second in a row gives the human routes."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        miss = after_a_miss(tracker.get_slot(Slot.MISUNDERSTOOD))
        if miss.offer_human_routes:
            say(dispatcher, messages.human_routes(facts(), now()))
        else:
            dispatcher.utter_message(text=messages.rephrase())
        return [SlotSet(Slot.MISUNDERSTOOD, float(miss.misses))]


class ActionDefaultFallback(ActionFallback):
    """Rasa's own fallback (no rule applies) answers the same way, then takes the message back
    out of the conversation, so the next prediction is to listen, not to fall back again."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        return [UserUtteranceReverted(), *events]
