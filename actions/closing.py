"""Steps 7 and 8: the advice (suggested level, reasons, next steps), the record (a contact for a
named child; only an anonymous statistic for a scenario), the close and the feedback."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import buttons, channel, facts, now, say
from actions.privacy import forget_conversation
from actions.records import contact_from, save_contact, turn_origin
from actions.stats import record_stat
from bot.domain import messages
from bot.domain.consultation import NAMED_CHILD, PUBLIC, THRESHOLD_SLOTS
from bot.domain.duty_questions import NO, NOT_KNOWN, YES, not_known_note, think_family_note
from bot.domain.levels import suggest_level
from bot.domain.statistics import StatEvent
from bot.domain.summary import sms_summary

FEEDBACK_BUTTONS = [("Yes, it helped", "/affirm"), ("No", "/deny")]


class ActionSubmitConsultation(Action):
    def name(self) -> str:
        return "action_submit_consultation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("consultation_done") or not tracker.get_slot("role_type"):
            return []  # nothing new to advise on
        if tracker.get_slot("role_type") == PUBLIC:
            say(dispatcher, messages.public_routes(facts(), now()))
            record_stat(StatEvent.PUBLIC_REDIRECTED, channel(tracker))
            return [SlotSet("consultation_done", True)]

        harm = bool(tracker.get_slot("significant_harm"))
        danger = bool(tracker.get_slot("immediate_danger"))
        if not harm and (
            tracker.get_slot("child_in_city") == NO or tracker.get_slot("child_open_to_csc") == YES
        ):
            # A county child or an open case: the route was given with the answer; nothing is
            # recorded here, and there is no level to suggest (issue 16).
            topic = "county" if tracker.get_slot("child_in_city") == NO else "open_case"
            record_stat(StatEvent.SCENARIO_ADVICE, channel(tracker), topic, None)
            say(dispatcher, ["Thank you. Come back at any time if things change."])
            dispatcher.utter_message(
                text=messages.FEEDBACK_QUESTION, buttons=buttons(FEEDBACK_BUTTONS)
            )
            return [SlotSet("consultation_done", True)]
        answers = {s.removeprefix("q_"): tracker.get_slot(s) for s in THRESHOLD_SLOTS}
        suggestion = suggest_level(
            {k: v for k, v in answers.items() if v}, significant_harm=harm, immediate_danger=danger
        )
        advice = messages.advice(facts(), suggestion, now())
        advice[-1:-1] = _duty_notes(tracker)
        say(dispatcher, advice)

        reference = tracker.get_slot("contact_reference")
        topic = tracker.get_slot("topic")
        if tracker.get_slot("consultation_type") == NAMED_CHILD:
            categories = list(tracker.get_slot("harm_categories") or [])
            contact = contact_from(
                tracker,
                suggestion=suggestion,
                significant_harm=harm,
                immediate_danger=danger,
                harm_categories=categories,
                advice_given="\n".join(advice),
            )
            reference = save_contact(contact, reference, turn_origin(tracker))
            if not tracker.get_slot("contact_reference"):
                record_stat(
                    StatEvent.NAMED_CHILD_CONTACT, channel(tracker), topic, suggestion.level.value
                )
        else:
            record_stat(StatEvent.SCENARIO_ADVICE, channel(tracker), topic, suggestion.level.value)
        say(dispatcher, messages.closing(reference))
        if channel(tracker) == "sms":
            # A record to keep: the reference and the next steps in one message (issue 16).
            summary = sms_summary(
                facts(),
                messages.step_facts(facts()),
                at=now(),
                reference=reference,
                level=suggestion.level.value,
                next_steps=suggestion.next_steps,
            )
            dispatcher.utter_message(text=summary)
        dispatcher.utter_message(text=messages.FEEDBACK_QUESTION, buttons=buttons(FEEDBACK_BUTTONS))
        return [
            SlotSet("consultation_done", True),
            SlotSet("suggested_level", suggestion.level.value),
            SlotSet("contact_reference", reference),
        ]


def _duty_notes(tracker: Tracker) -> list[str]:
    """Think Family when other children live there (or may), and what to check when the
    caller did not know where the child lives or whether the case is open."""
    notes = [
        note
        for slot in ("child_in_city", "child_open_to_csc")
        if tracker.get_slot(slot) == NOT_KNOWN and (note := not_known_note(slot))
    ]
    if tracker.get_slot("other_children") in (YES, NOT_KNOWN):
        notes.append(think_family_note())
    return notes


class ActionFeedback(Action):
    def name(self) -> str:
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        helpful = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        record_stat(
            StatEvent.FEEDBACK, channel(tracker), topic="helpful" if helpful else "not_helpful"
        )
        dispatcher.utter_message(text="Thank you for your feedback. " + messages.goodbye(facts()))
        return forget_conversation()
