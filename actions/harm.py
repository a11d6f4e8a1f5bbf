"""Rule 7, from any step and at any hour: the urgent routes in the very next reply (999 first
when a child is in immediate danger), the contact recorded and flagged for the IRT at once,
then the details the record needs."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel, facts, latest_intent, latest_text, now, say
from actions.irt_alert import alert_irt
from actions.records import contact_from, save_contact, turn_origin
from actions.stats import record_stat
from bot.adapters.harm_phrases import detect
from bot.domain import messages
from bot.domain.consultation import NAMED_CHILD, SCENARIO
from bot.domain.identifiers import identifying_details
from bot.domain.levels import suggest_level
from bot.domain.statistics import StatEvent

logger = logging.getLogger(__name__)


class ActionHarmHandoff(Action):
    def name(self) -> str:
        return "action_harm_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text, at = latest_text(tracker), now()
        signal = detect(text)
        immediate = (
            bool(tracker.get_slot("immediate_danger"))
            or latest_intent(tracker) == "immediate_danger"
            or signal.immediate_danger
        )
        categories = sorted(set(tracker.get_slot("harm_categories") or []) | set(signal.categories))
        say(dispatcher, messages.harm_handoff(facts(), at, immediate))

        concern = tracker.get_slot("concern")
        concern = f"{concern}\n{text}" if concern and text not in concern else concern or text
        events: list[EventType] = [
            SlotSet("significant_harm", True),
            SlotSet("immediate_danger", immediate),
            SlotSet("harm_categories", categories),
            SlotSet("concern", concern),
            SlotSet("consultation_done", False),
        ]
        kind = tracker.get_slot("consultation_type")
        if kind == SCENARIO and not identifying_details(concern, at.date()):
            # An anonymous scenario stays unrecorded: there is no child to record.
            dispatcher.utter_message(text=messages.harm_flagged(None))
            record_stat(StatEvent.SIGNIFICANT_HARM, channel(tracker), topic="scenario")
            return events
        if kind == SCENARIO:
            # Rule 5: the caller was told a scenario keeps nothing, so say why it now does.
            found = identifying_details(concern, at.date())
            dispatcher.utter_message(text=messages.scenario_became_named(found))
        if kind is None or kind == SCENARIO:
            events.append(SlotSet("consultation_type", NAMED_CHILD))

        reference = reference_before = tracker.get_slot("contact_reference")
        slots = {e["name"]: e["value"] for e in events}
        suggestion = suggest_level({}, significant_harm=True, immediate_danger=immediate)
        contact = contact_from(
            _with_slots(tracker, slots),
            suggestion=suggestion,
            significant_harm=True,
            immediate_danger=immediate,
            harm_categories=categories,
            advice_given=None,
        )
        reference = save_contact(contact, reference, turn_origin(tracker))
        logger.info("significant harm: contact %s flagged for the IRT", reference)
        # Once per contact: when it is created, or when an earlier contact is first flagged.
        if not reference_before or not tracker.get_slot("significant_harm"):
            alert_irt(reference, immediate, at)
        if not tracker.get_slot("contact_reference"):
            record_stat(StatEvent.SIGNIFICANT_HARM, channel(tracker), topic="named_child")
        dispatcher.utter_message(text=messages.harm_flagged(reference))
        return [*events, SlotSet("contact_reference", reference)]


def _with_slots(tracker: Tracker, slots: dict[str, Any]) -> Tracker:
    """A copy of the tracker with this turn's slot changes applied."""
    copy = tracker.copy()
    copy.slots.update(slots)
    return copy
