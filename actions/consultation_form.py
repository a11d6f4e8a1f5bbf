"""The consultation form: which answer is asked next (bot.domain.consultation), how each answer is
checked, and the threshold questions with their buttons (bot.domain.levels)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    buttons,
    channel,
    facts,
    latest_intent,
    line_open,
    now,
    say,
    state_of,
)
from actions.harm import PENDING_SLOT, harm_slots
from actions.records import child_dob_slot
from actions.slots import Slot
from actions.stats import record_stat
from bot.domain import messages
from bot.domain.consent import QUESTION as CONSENT_REASON_QUESTION
from bot.domain.consent import REASONS as CONSENT_REASONS
from bot.domain.consent import reason_answer
from bot.domain.consultation import (
    CONSENT_FROM_FAMILY_AWARE,
    DHCFT,
    NAMED_CHILD,
    PUBLIC,
    SCENARIO,
    consultation_type_from,
    early_concern,
    family_aware_from,
    required_slots,
    role_from,
)
from bot.domain.domestic_abuse import DASH_CHOICES, DASH_QUESTION, dash_answer, dash_route
from bot.domain.duty_questions import (
    CHILD_IN_CITY,
    DUTY_QUESTIONS,
    NO,
    OPEN_TO_CSC,
    OTHER_CHILDREN,
    YES,
    county_route,
    duty_answer,
    open_case_route,
)
from bot.domain.identifiers import identifying_details
from bot.domain.levels import QUESTIONS_BY_KEY, THRESHOLD_QUESTIONS, normalise_answer
from bot.domain.limits import MAX_ANSWER_CHARS, MAX_CONCERN_CHARS
from bot.domain.misses import after_a_miss
from bot.domain.statistics import StatEvent
from bot.domain.validation import (
    clean_text,
    find_email,
    find_postcode,
    parse_child_dob,
    parse_uk_phone,
)

Result = dict[str, Any]


def _rejected(
    slot: str, problem: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Result:
    """Ask again politely; the second miss in a row also gives the human routes."""
    miss = after_a_miss(tracker.get_slot(Slot.MISUNDERSTOOD))
    dispatcher.utter_message(text=problem)
    if miss.offer_human_routes:
        say(dispatcher, messages.speak_to_someone(facts(), now()))
    return {slot: None, Slot.MISUNDERSTOOD: float(miss.misses)}


def _accepted(slot: str, value: Any, **more: Any) -> Result:
    return {slot: value, Slot.MISUNDERSTOOD: 0.0, **more}


def _free_text(slot: str, value: Any, what: str, dispatcher: Any, tracker: Tracker) -> Result:
    text = clean_text(str(value or ""), max_chars=MAX_ANSWER_CHARS)
    if not text:
        return _rejected(slot, f"Sorry, I need {what}.", dispatcher, tracker)
    return _accepted(slot, text)


class ValidateConsultationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_consultation_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return required_slots(state_of(tracker))

    def validate_role_type(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        text = str(value or "")
        role = role_from(latest_intent(tracker), text)
        # A concern typed instead of a role is kept as the concern (rule 14).
        early = _early_concern(tracker, text)
        if role is None:
            result = _rejected(
                "role_type",
                "Thank you, I've noted that. First, please choose one of the options."
                if early
                else "Sorry, please choose one of the options.",
                dispatcher,
                tracker,
            )
            return {**result, **early}
        if role == DHCFT:
            dispatcher.utter_message(text=messages.dhcft_offer(facts()))
            record_stat(StatEvent.DHCFT_OFFERED, channel(tracker))
        return _accepted("role_type", role, **(early if role != PUBLIC else {}))

    def validate_caller_name(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        return _free_text(Slot.CALLER_NAME, value, "your name", dispatcher, tracker)

    def validate_caller_role(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        return _free_text(Slot.CALLER_ROLE, value, "your role", dispatcher, tracker)

    def validate_caller_agency(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        return _free_text(Slot.CALLER_AGENCY, value, "your organisation", dispatcher, tracker)

    def validate_caller_address(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        text = clean_text(str(value or ""), max_chars=MAX_ANSWER_CHARS)
        email = find_email(text)
        if email:
            return _accepted(Slot.CALLER_ADDRESS, email)
        if find_postcode(text):
            return _accepted(Slot.CALLER_ADDRESS, text)
        return _rejected(
            Slot.CALLER_ADDRESS,
            "Sorry, I need a postal address with its postcode (for example DE1 2FS), or a "
            "secure email address.",
            dispatcher,
            tracker,
        )

    def validate_caller_phone(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        number = parse_uk_phone(str(value or ""))
        if number:
            return _accepted(Slot.CALLER_PHONE, number)
        return _rejected(
            Slot.CALLER_PHONE,
            "Sorry, that doesn't look like a UK telephone number. Please give a landline "
            "number with its area code, or a mobile number.",
            dispatcher,
            tracker,
        )

    def validate_consultation_type(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        kind = consultation_type_from(latest_intent(tracker), str(value or ""))
        if kind is None:
            return _rejected(
                Slot.CONSULTATION_TYPE,
                "Sorry, please choose 'Named child' or 'Scenario'.",
                dispatcher,
                tracker,
            )
        if tracker.get_slot("significant_harm") and not tracker.get_slot("contact_reference"):
            # A confirmed concern waited for this answer: a named child is recorded now.
            slots = harm_slots(
                dispatcher,
                tracker,
                certain=True,
                immediate_danger=False,
                categories=[],
                new_concern=None,
                consultation_type=kind,
                new_signal=False,
            )
            return _accepted("consultation_type", slots.pop("consultation_type"), **slots)
        return _accepted("consultation_type", kind)

    def validate_child_name(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        return _free_text(Slot.CHILD_NAME, value, "the child's name", dispatcher, tracker)

    def validate_child_dob(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        result = parse_child_dob(str(value or ""), now().date())
        if result.problem:
            return _rejected(Slot.CHILD_DOB, result.problem, dispatcher, tracker)
        return _accepted(
            Slot.CHILD_DOB, child_dob_slot(result.date_of_birth, result.age_years, result.unborn)
        )

    def validate_child_address(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        return _free_text(Slot.CHILD_ADDRESS, value, "the child's address", dispatcher, tracker)

    def validate_child_setting(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        return _free_text(
            Slot.CHILD_SETTING, value, "the child's school or setting", dispatcher, tracker
        )

    def validate_child_carers(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        return _free_text(
            Slot.CHILD_CARERS, value, "the child's parents or carers", dispatcher, tracker
        )

    def validate_concern(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        text = clean_text(str(value or ""), max_chars=MAX_CONCERN_CHARS)
        if not text:
            return _rejected(
                Slot.CONCERN, "Sorry, please tell me your concern.", dispatcher, tracker
            )
        result = _accepted(Slot.CONCERN, text)
        intent = latest_intent(tracker)
        if intent == "domestic_abuse":
            # The DASH grade is asked next, and its answer gives that grade's route (§5.2).
            result[Slot.TOPIC] = "domestic_abuse"
        elif intent == "adult_concern":
            say(dispatcher, messages.adult_route(facts()))
            result[Slot.TOPIC] = "adult"
        if tracker.get_slot(Slot.CONSULTATION_TYPE) == SCENARIO:
            found = identifying_details(text, now().date())
            if found:
                dispatcher.utter_message(text=messages.scenario_became_named(found))
                result[Slot.CONSULTATION_TYPE] = NAMED_CHILD
        return result

    def validate_family_aware(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        answer = family_aware_from(latest_intent(tracker), str(value or ""))
        if answer is None:
            return _rejected(
                Slot.FAMILY_AWARE, "Sorry, please choose one of the options.", dispatcher, tracker
            )
        if tracker.get_slot(Slot.SIGNIFICANT_HARM):
            return _accepted(Slot.FAMILY_AWARE, answer)
        # One question: the answer is the consent to early help too (never asked twice).
        return _accepted(
            Slot.FAMILY_AWARE, answer, **{Slot.Q_CONSENT: CONSENT_FROM_FAMILY_AWARE[answer]}
        )

    def validate_consent_reason(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        reason = reason_answer(clean_text(str(value or ""), max_chars=MAX_CONCERN_CHARS))
        if reason is None:
            return _rejected(
                Slot.CONSENT_REASON,
                "Sorry, I need the reason: choose one of the options, or tell me in a few words.",
                dispatcher,
                tracker,
            )
        return _accepted(Slot.CONSENT_REASON, reason)

    def _duty(self, slot: str, value: Any, dispatcher: Any, tracker: Tracker) -> Result:
        answer = duty_answer(slot, latest_intent(tracker), str(value or ""))
        if answer is None:
            return _rejected(slot, "Sorry, please choose one of the options.", dispatcher, tracker)
        if slot == CHILD_IN_CITY and answer == NO:
            say(dispatcher, county_route(facts()))
        elif slot == OPEN_TO_CSC and answer == YES:
            say(dispatcher, open_case_route(facts(), now()))
        return _accepted(slot, answer)

    def validate_dash_grade(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        grade = dash_answer(str(value or ""))
        if grade is None:
            return _rejected(
                Slot.DASH_GRADE, "Sorry, please choose one of the options.", dispatcher, tracker
            )
        say(dispatcher, dash_route(facts(), grade))
        return _accepted(Slot.DASH_GRADE, grade)

    def validate_child_in_city(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        return self._duty(CHILD_IN_CITY, value, dispatcher, tracker)

    def validate_child_open_to_csc(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        return self._duty(OPEN_TO_CSC, value, dispatcher, tracker)

    def validate_other_children(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        return self._duty(OTHER_CHILDREN, value, dispatcher, tracker)

    def _threshold(self, key: str, value: Any, dispatcher: Any, tracker: Tracker) -> Result:
        answer = normalise_answer(key, str(value or ""))
        if answer is None:
            return _rejected(
                f"q_{key}", "Sorry, please choose one of the options.", dispatcher, tracker
            )
        return _accepted(f"q_{key}", answer)

    def validate_q_harm(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        result = self._threshold("harm", value, dispatcher, tracker)
        if result.get("q_harm") == "yes":
            # The caller's own "Yes" is the surest signal there is: rule 7 at once.
            slots = harm_slots(
                dispatcher,
                tracker,
                certain=True,
                immediate_danger=False,
                categories=[],
                new_concern=None,
            )
            result.update(slots)
        return result

    def validate_harm_confirmation(
        self, value: Any, dispatcher: Any, tracker: Tracker, _: Any
    ) -> Result:
        answer = normalise_answer("harm", str(value or ""))
        intent = latest_intent(tracker)
        pending = tracker.get_slot(PENDING_SLOT) or {}
        if intent == "affirm" or answer == "yes":
            slots = harm_slots(
                dispatcher,
                tracker,
                certain=True,
                immediate_danger=bool(pending.get("immediate_danger")),
                categories=list(pending.get("categories") or []),
                new_concern=None,
            )
            return _accepted("harm_confirmation", None, **slots)
        if intent == "deny" or answer == "no":
            # Nothing flagged; the consultation goes on where it was.
            say(
                dispatcher,
                messages.harm_not_confirmed(facts(), now(), line_open(tracker)),
            )
            more: dict[str, Any] = {PENDING_SLOT: None}
            if pending.get("classified") == "domestic_abuse":
                # Rule 10: abuse between adults is not, by itself, harm to the child.
                say(dispatcher, messages.domestic_abuse_route(facts()))
                more["topic"] = "domestic_abuse"
            return _accepted("harm_confirmation", None, **more)
        result = _rejected(
            "harm_confirmation", "Sorry, please choose one of the options.", dispatcher, tracker
        )
        return result

    def validate_q_needs(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        return self._threshold("needs", value, dispatcher, tracker)

    def validate_q_support(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        return self._threshold("support", value, dispatcher, tracker)

    def validate_q_consent(self, value: Any, dispatcher: Any, tracker: Tracker, _: Any) -> Result:
        return self._threshold("consent", value, dispatcher, tracker)


def _early_concern(tracker: Tracker, text: str) -> dict[str, Any]:
    """The concern typed instead of the answer asked for, as slots to set (rule 14)."""
    found = early_concern(latest_intent(tracker), text, tracker.get_slot(Slot.CONCERN))
    concern = clean_text(found or "", max_chars=MAX_CONCERN_CHARS)
    return {Slot.CONCERN: concern} if concern else {}


class _AskWithButtons(Action, ABC):
    """Asks one of the form's questions with a button for each choice (free text works too).

    Abstract, so the action server (which registers every concrete `Action` subclass it finds)
    skips it; a plain base without `name()` would stop the server starting."""

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def question(self) -> tuple[str, Iterable[tuple[str, str]]]:
        """The question's text and its (title, payload) choices."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text, choices = self.question()
        dispatcher.utter_message(text=text, buttons=buttons(choices))
        return []


class ActionAskHarmConfirmation(_AskWithButtons):
    """Rule 7's one confirming question for an uncertain signal, with two buttons."""

    def name(self) -> str:
        return "action_ask_harm_confirmation"

    def question(self) -> tuple[str, Iterable[tuple[str, str]]]:
        choices = [(messages.HARM_CONFIRM_YES, "/affirm"), (messages.HARM_CONFIRM_NO, "/deny")]
        return messages.HARM_CONFIRM_QUESTION, choices


class ActionAskConsentReason(_AskWithButtons):
    """Sharing a named child's details without the family's agreement: the reason (ISA)."""

    def name(self) -> str:
        return "action_ask_consent_reason"

    def question(self) -> tuple[str, Iterable[tuple[str, str]]]:
        return CONSENT_REASON_QUESTION, ((r.title, r.value) for r in CONSENT_REASONS)


class _AskDutyQuestion(_AskWithButtons):
    """One of the duty manager's first questions, with its reason."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot it asks for (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def question(self) -> tuple[str, Iterable[tuple[str, str]]]:
        question = DUTY_QUESTIONS[self.slot]
        return question.asked, ((title, value) for value, title in question.choices)


class ActionAskDashGrade(_AskWithButtons):
    """Domestic abuse: the police's DASH grade, if the caller knows it (§5.2)."""

    def name(self) -> str:
        return "action_ask_dash_grade"

    def question(self) -> tuple[str, Iterable[tuple[str, str]]]:
        return DASH_QUESTION, ((title, value) for value, title in DASH_CHOICES)


class ActionAskChildInCity(_AskDutyQuestion):
    slot = CHILD_IN_CITY


class ActionAskChildOpenToCsc(_AskDutyQuestion):
    slot = OPEN_TO_CSC


class ActionAskOtherChildren(_AskDutyQuestion):
    slot = OTHER_CHILDREN


class _AskThresholdQuestion(_AskWithButtons):
    """Asks one threshold question (bot.domain.levels)."""

    @property
    @abstractmethod
    def key(self) -> str:
        """The question's key (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_ask_q_{self.key}"

    def question(self) -> tuple[str, Iterable[tuple[str, str]]]:
        question = QUESTIONS_BY_KEY[self.key]
        return question.text, ((choice.title, choice.value) for choice in question.choices)


# One asking action per question, named action_ask_q_<key> as Rasa's forms expect. (Written
# out, not made in a loop: the action server's worker processes import them by name.)
class ActionAskQHarm(_AskThresholdQuestion):
    key = "harm"


class ActionAskQNeeds(_AskThresholdQuestion):
    key = "needs"


class ActionAskQSupport(_AskThresholdQuestion):
    key = "support"


class ActionAskQConsent(_AskThresholdQuestion):
    key = "consent"


assert {c.key for c in _AskThresholdQuestion.__subclasses__()} == {
    q.key for q in THRESHOLD_QUESTIONS
}, "every threshold question needs its asking action"
