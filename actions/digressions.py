"""Answers that leave the consultation where it was: help, hours, privacy, "make a referral",
"speak to someone", out of scope; and the routes elsewhere: public, adults, domestic abuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    buttons,
    channel,
    facts,
    latest_intent,
    latest_text,
    line_open,
    now,
    say,
)
from actions.slots import Slot
from actions.stats import record_stat
from bot.domain import messages
from bot.domain.consultation import PUBLIC, early_concern, role_from
from bot.domain.escalation import escalation_route
from bot.domain.limits import MAX_CONCERN_CHARS
from bot.domain.statistics import StatEvent
from bot.domain.validation import (
    clean_text,
    find_email,
    find_postcode,
    parse_child_dob,
    parse_uk_phone,
)

OUT_OF_SCOPE = (
    "Sorry, I can only help professionals with concerns about a child. For other council "
    "services, please see the council's website."
)


# Answers that can be recognised for what they are, whatever the classifier made of them:
# "you can ring me on 07700 900123" is an answer to the telephone question, not a question.
RECOGNISABLE_ANSWERS: dict[str, Callable[[str], object]] = {
    "caller_phone": parse_uk_phone,
    "caller_address": lambda text: find_email(text) or find_postcode(text),
    "child_dob": lambda text: parse_child_dob(text, now().date()).ok,
}


def _recognised_answer(tracker: Tracker) -> list[EventType]:
    if (tracker.active_loop or {}).get("name") != "consultation_form":
        return []
    slot = tracker.get_slot("requested_slot")
    text = latest_text(tracker)
    recognise = RECOGNISABLE_ANSWERS.get(slot or "")
    if recognise is None or not recognise(text):
        return []
    return [SlotSet(slot, text)]  # the form's validation normalises it next


class ActionAnswerDigression(Action):
    def name(self) -> str:
        return "action_answer_digression"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        answer = _recognised_answer(tracker)
        if answer:
            return answer
        service, at = facts(), now()
        answers = {
            "help": [messages.help_text(service)],
            "ask_hours": [messages.hours_text(service, at)],
            "ask_privacy": [messages.privacy_text()],
            "make_referral": messages.not_a_referral(service, at),
            "speak_to_someone": messages.speak_to_someone(service, at),
            "disagree_with_decision": escalation_route(service, at),
        }
        say(dispatcher, answers.get(latest_intent(tracker) or "", [OUT_OF_SCOPE]))
        return []


class ActionPublicRoutes(Action):
    """Rule 13: the line is for professionals."""

    def name(self) -> str:
        return "action_public_routes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        if role_from(latest_intent(tracker), text) != PUBLIC:
            # Not clearly the public: ask, never turn a professional away (rule 14).
            dispatcher.utter_message(response="utter_ask_role_type")
            concern = early_concern(latest_intent(tracker), text, tracker.get_slot(Slot.CONCERN))
            if not concern:
                return []
            return [SlotSet(Slot.CONCERN, clean_text(concern, max_chars=MAX_CONCERN_CHARS))]
        say(dispatcher, messages.public_routes(facts(), now()))
        record_stat(StatEvent.PUBLIC_REDIRECTED, channel(tracker))
        return [SlotSet(Slot.ROLE_TYPE, PUBLIC), SlotSet(Slot.CONSULTATION_DONE, True)]


class ActionAdultRoute(Action):
    """Rule 9: the s.42 test and the adults' route; then Think Family."""

    def name(self) -> str:
        return "action_adult_route"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, messages.adult_route(facts()))
        dispatcher.utter_message(
            text=messages.THINK_FAMILY_QUESTION,
            buttons=buttons([("Yes, there are children", "/affirm"), ("No children", "/deny")]),
        )
        return [SlotSet(Slot.TOPIC, "adult")]


class ActionDomesticAbuseRoute(Action):
    """Rule 10: the notification route, then the child's threshold questions as usual."""

    def name(self) -> str:
        return "action_domestic_abuse_route"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, messages.domestic_abuse_route(facts()))
        if not line_open(tracker) and not tracker.get_slot(Slot.SIGNIFICANT_HARM):
            say(dispatcher, messages.line_closed_reminder(facts(), now()))
        return [SlotSet(Slot.TOPIC, "domestic_abuse")]
