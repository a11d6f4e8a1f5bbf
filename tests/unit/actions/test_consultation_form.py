"""The consultation form's validation: which answers it asks for, and how each answer is read."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.consultation_form import (
    ActionAskConsentReason,
    ActionAskQConsent,
    ActionAskQHarm,
    ActionAskQNeeds,
    ActionAskQSupport,
    ValidateConsultationForm,
)
from actions.services import Services, get_services
from bot.domain import messages
from bot.domain.consent import QUESTION as CONSENT_REASON_QUESTION
from bot.domain.consent import REASONS
from bot.domain.consultation import CALLER_SLOTS, CHILD_SLOTS, THRESHOLD_SLOTS
from bot.domain.levels import QUESTIONS_BY_KEY
from bot.domain.statistics import StatEvent
from tests.support.aio import run_sync
from tests.unit.actions.conftest import DOMAIN, OUT_OF_HOURS, run, stat_count, texts, tracker

FORM = ValidateConsultationForm()
CALLER_DETAILS = ["role_type", *CALLER_SLOTS, "consultation_type"]
DUTY_FIRST = ["child_in_city", "child_open_to_csc"]
POLITE_REASK = "Sorry"


def required_slots(**slots: Any) -> list[str]:
    dispatcher = CollectingDispatcher()
    return run_sync(
        FORM.required_slots(FORM.domain_slots(DOMAIN), dispatcher, tracker(slots), DOMAIN)
    )


def validate(
    slot: str, value: Any, *, intent: str | None = None, **slots: Any
) -> tuple[dict[str, Any], list[str]]:
    """Calls `validate_<slot>` as the form does; returns the slots it sets and its messages."""
    dispatcher = CollectingDispatcher()
    on = tracker(slots, intent=intent, text=str(value))
    result = getattr(FORM, f"validate_{slot}")(value, dispatcher, on, DOMAIN)
    return result, texts(dispatcher.messages)


# --- which answers are needed ---------------------------------------------------------------


def test_the_domain_lists_every_answer_the_form_can_ask_for() -> None:
    assert FORM.domain_slots(DOMAIN) == [
        "harm_confirmation",
        *CALLER_DETAILS,
        "child_in_city",
        "child_open_to_csc",
        *CHILD_SLOTS,
        "other_children",
        "concern",
        "dash_grade",
        "family_aware",
        "consent_reason",
        *THRESHOLD_SLOTS,
    ]


def test_a_closed_line_asks_for_nothing(at: Any) -> None:
    at(OUT_OF_HOURS)
    assert required_slots(line_open=False) == []


def test_a_conversation_begun_before_opening_is_asked_once_the_line_opens() -> None:
    # The clock says open (11:00): begun at 09:58, it carries on as open (§5.10).
    assert required_slots(line_open=False) == CALLER_DETAILS


def test_a_closed_line_still_takes_the_details_of_a_significant_harm_concern() -> None:
    # Named child or scenario first: only a named child is recorded (rule 7).
    assert required_slots(line_open=False, significant_harm=True) == [
        "consultation_type",
        *CALLER_DETAILS[:-1],
    ]


@pytest.mark.parametrize("line_open", [True, False])
def test_an_unconfirmed_harm_signal_asks_its_confirming_question_before_anything(
    line_open: bool,
) -> None:
    pending = {"immediate_danger": False, "categories": []}
    assert required_slots(line_open=line_open, harm_pending=pending) == ["harm_confirmation"]


def test_an_open_line_asks_for_the_callers_details_before_anything_about_a_child() -> None:
    assert required_slots(line_open=True) == CALLER_DETAILS


@pytest.mark.parametrize("role", ["professional", "dhcft"])
def test_professionals_and_dhcft_staff_get_the_same_questions(role: str) -> None:
    assert required_slots(line_open=True, role_type=role) == CALLER_DETAILS


def test_a_member_of_the_public_is_asked_nothing_more() -> None:
    assert required_slots(line_open=True, role_type="public") == ["role_type"]


def test_a_named_child_needs_the_childs_details_then_the_threshold_questions() -> None:
    assert required_slots(line_open=True, consultation_type="named_child") == [
        *CALLER_DETAILS,
        *DUTY_FIRST,
        *CHILD_SLOTS,
        "other_children",
        "concern",
        "family_aware",
        *THRESHOLD_SLOTS,
    ]


def test_a_scenario_needs_only_the_concern_then_the_threshold_questions() -> None:
    assert required_slots(line_open=True, consultation_type="scenario") == [
        *CALLER_DETAILS,
        *DUTY_FIRST,
        "other_children",
        "concern",
        *THRESHOLD_SLOTS,
    ]


@pytest.mark.parametrize("kind", ["named_child", "scenario"])
def test_a_county_child_ends_after_the_city_question(kind: str) -> None:
    assert required_slots(line_open=True, consultation_type=kind, child_in_city="no") == [
        *CALLER_DETAILS,
        "child_in_city",
    ]


@pytest.mark.parametrize("kind", ["named_child", "scenario"])
def test_a_child_open_to_social_care_ends_after_that_question(kind: str) -> None:
    assert required_slots(
        line_open=True, consultation_type=kind, child_in_city="yes", child_open_to_csc="yes"
    ) == [*CALLER_DETAILS, *DUTY_FIRST]


def test_not_known_answers_carry_on_with_the_consultation() -> None:
    slots = required_slots(
        line_open=True,
        consultation_type="named_child",
        child_in_city="not_known",
        child_open_to_csc="not_known",
    )
    assert slots[-len(THRESHOLD_SLOTS) :] == list(THRESHOLD_SLOTS)


def test_significant_harm_skips_the_threshold_questions() -> None:
    assert required_slots(
        line_open=True, consultation_type="named_child", significant_harm=True
    ) == [*CALLER_DETAILS, *CHILD_SLOTS, "concern", "family_aware"]


def test_a_finished_consultation_asks_for_nothing() -> None:
    assert (
        required_slots(line_open=True, consultation_type="scenario", consultation_done=True) == []
    )


# --- the form's turn, as the action server runs it ------------------------------------------


def test_a_valid_answer_is_kept_and_the_next_question_requested() -> None:
    on = tracker(
        {"line_open": True, "role_type": "professional", "requested_slot": "caller_phone"},
        intent="inform",
        text="01332 123456",
        events=[
            {"event": "user", "text": "01332 123456", "parse_data": {}},
            SlotSet("caller_phone", "01332 123456"),
        ],
        active_loop="consultation_form",
    )
    events, sent = run(FORM, on)
    assert events == [
        SlotSet("caller_phone", "01332 123456"),
        SlotSet("misunderstood", 0.0),
        SlotSet("requested_slot", "caller_name"),
    ]
    assert sent == []


def test_an_answer_it_cannot_read_is_asked_for_again() -> None:
    on = tracker(
        {"line_open": True, "requested_slot": "role_type"},
        intent="nlu_fallback",
        text="blorp",
        events=[
            {"event": "user", "text": "blorp", "parse_data": {}},
            SlotSet("role_type", "blorp"),
        ],
        active_loop="consultation_form",
    )
    events, sent = run(FORM, on)
    assert events == [
        SlotSet("role_type", None),
        SlotSet("misunderstood", 1.0),
        SlotSet("requested_slot", "role_type"),
    ]
    assert texts(sent) == ["Sorry, please choose one of the options."]


def test_the_last_answer_ends_the_form() -> None:
    answers = {
        "line_open": True,
        "role_type": "professional",
        "caller_name": "Jane Smith",
        "caller_role": "DSL",
        "caller_agency": "Ashgate Primary",
        "caller_address": "jane.smith@ashgate.derby.sch.uk",
        "caller_phone": "01332 123456",
        "consultation_type": "scenario",
        "child_in_city": "yes",
        "child_open_to_csc": "no",
        "other_children": "no",
        "concern": "a boy is often hungry",
        "q_harm": "no",
        "q_needs": "some",
        "q_support": "partly",
        "requested_slot": "q_consent",
    }
    on = tracker(
        answers,
        intent="inform",
        text="Not asked yet",
        events=[{"event": "user", "text": "Not asked yet"}, SlotSet("q_consent", "Not asked yet")],
        active_loop="consultation_form",
    )
    events, _ = run(FORM, on)
    assert events == [
        SlotSet("q_consent", "not_asked"),
        SlotSet("misunderstood", 0.0),
        SlotSet("requested_slot", None),
    ]


# --- each answer: accepted, or asked again politely -----------------------------------------


@pytest.mark.parametrize(
    ("intent", "text", "role"),
    [
        ("professional", "/professional", "professional"),
        ("inform", "I'm a teacher", "professional"),
        ("member_of_public", "I'm her nan", "public"),
        ("inform", "school nurse for Derbyshire Healthcare", "dhcft"),
    ],
)
def test_role_type_accepts_a_button_or_free_text(intent: str, text: str, role: str) -> None:
    result, _ = validate("role_type", text, intent=intent)
    assert result == {"role_type": role, "misunderstood": 0.0}


def test_dhcft_staff_are_offered_their_advice_line_and_counted(services: Services) -> None:
    result, sent = validate("role_type", "/dhcft_health_staff", intent="dhcft_health_staff")
    assert result == {"role_type": "dhcft", "misunderstood": 0.0}
    assert sent == [messages.dhcft_offer(services.facts)]
    assert "01332 640515" in sent[0]
    assert stat_count(StatEvent.DHCFT_OFFERED) == 1


@pytest.mark.parametrize(
    ("slot", "typed", "kept"),
    [
        ("caller_name", "  Jane\x00 Smith ", "Jane Smith"),
        ("caller_role", "Year 4 class teacher", "Year 4 class teacher"),
        ("caller_agency", "Ashgate Primary", "Ashgate Primary"),
        ("caller_address", "Jane.Smith@Ashgate.derby.sch.uk", "Jane.Smith@ashgate.derby.sch.uk"),
        ("caller_address", "Ashgate Primary, Derby DE1 2FS", "Ashgate Primary, Derby DE1 2FS"),
        ("caller_phone", "01332123456", "01332 123456"),
        ("caller_phone", "+44 7700 900123", "07700 900123"),
        ("child_name", "Sam Jones", "Sam Jones"),
        ("child_dob", "3 March 2017", "2017-03-03"),
        ("child_dob", "she's 7", "age 7"),
        ("child_dob", "unborn", "unborn"),
        ("child_address", "not known", "not known"),
        ("child_setting", "none", "none"),
        ("child_carers", "Mum, Kelly Jones", "Mum, Kelly Jones"),
        ("concern", "he's late most mornings", "he's late most mornings"),
        ("family_aware", "yes", "yes"),
        ("family_aware", "they know but don't agree", "disagree"),
        ("family_aware", "not sure", "unsure"),
        ("q_harm", "Yes", "yes"),
        ("q_harm", "I'm not sure", "unsure"),
        ("q_needs", "Some additional needs in one area", "some"),
        ("q_needs", '/inform{"needs": "several"}', "several"),
        ("q_support", "Partly", "partly"),
        ("q_consent", "Not asked yet", "not_asked"),
    ],
)
def test_a_good_answer_is_kept_in_its_normal_form(slot: str, typed: str, kept: str) -> None:
    result, sent = validate(slot, typed, intent="inform")
    assert (result[slot], result["misunderstood"]) == (kept, 0.0)
    assert sent == [] or (slot, kept) == ("q_harm", "yes")  # "Yes" to harm: rule 7 at once


@pytest.mark.parametrize(
    ("intent", "text", "kind"),
    [
        ("named_child", "/named_child", "named_child"),
        ("scenario", "/scenario", "scenario"),
        ("inform", "just a general question, no names", "scenario"),
        ("inform", "a specific child", "named_child"),
    ],
)
def test_consultation_type_accepts_a_button_or_free_text(intent: str, text: str, kind: str) -> None:
    result, _ = validate("consultation_type", text, intent=intent)
    assert result == {"consultation_type": kind, "misunderstood": 0.0}


BAD_ANSWERS = [
    ("role_type", "blorp", "Sorry, please choose one of the options."),
    ("caller_name", "   ", "Sorry, I need your name."),
    ("caller_role", "", "Sorry, I need your role."),
    ("caller_agency", "\x00", "Sorry, I need your organisation."),
    ("caller_address", "somewhere in Derby", "Sorry, I need a postal address with its postcode"),
    ("caller_phone", "12345", "Sorry, that doesn't look like a UK telephone number."),
    ("consultation_type", "purple", "Sorry, please choose 'Named child' or 'Scenario'."),
    ("child_name", " ", "Sorry, I need the child's name."),
    ("child_dob", "banana", "Sorry, I didn't recognise that as a date of birth or an age"),
    ("child_dob", "3 March 2030", "That date is in the future."),
    ("child_dob", "45", "That would make them 18 or over"),
    ("child_address", "", "Sorry, I need the child's address."),
    ("child_setting", "", "Sorry, I need the child's school or setting."),
    ("child_carers", "", "Sorry, I need the child's parents or carers."),
    ("concern", "  ", "Sorry, please tell me your concern."),
    ("family_aware", "purple", "Sorry, please choose one of the options."),
    ("q_harm", "purple", "Sorry, please choose one of the options."),
    ("q_needs", "purple", "Sorry, please choose one of the options."),
    ("q_support", "purple", "Sorry, please choose one of the options."),
    ("q_consent", "purple", "Sorry, please choose one of the options."),
]


@pytest.mark.parametrize(("slot", "typed", "reask"), BAD_ANSWERS)
def test_a_bad_answer_is_asked_for_again_politely(slot: str, typed: str, reask: str) -> None:
    result, sent = validate(slot, typed, intent="inform")
    assert result == {slot: None, "misunderstood": 1.0}
    assert len(sent) == 1
    assert sent[0].startswith(reask)


@pytest.mark.parametrize(("slot", "typed", "reask"), BAD_ANSWERS)
def test_the_second_miss_in_a_row_also_gives_the_human_routes(
    services: Services, slot: str, typed: str, reask: str
) -> None:
    result, sent = validate(slot, typed, intent="inform", misunderstood=1.0)
    assert result == {slot: None, "misunderstood": 0.0}
    assert sent[0].startswith(reask)
    assert sent[1:] == messages.speak_to_someone(services.facts, services.clock.now())
    assert "07812 300329" in sent[1]  # the line's own number, as it is open
    assert "999" in sent[2]


def test_a_good_answer_resets_the_count_of_misses() -> None:
    result, sent = validate("caller_name", "Jane Smith", misunderstood=1.0)
    assert result == {"caller_name": "Jane Smith", "misunderstood": 0.0}
    assert sent == []


# --- the concern ----------------------------------------------------------------------------


def test_a_scenario_that_names_the_child_becomes_a_named_child() -> None:
    result, sent = validate(
        "concern",
        "Sam Jones (aged 7) is often hungry",
        intent="describe_concern",
        consultation_type="scenario",
    )
    assert result == {
        "concern": "Sam Jones (aged 7) is often hungry",
        "misunderstood": 0.0,
        "consultation_type": "named_child",
    }
    assert sent == [messages.scenario_became_named(("a name",))]
    assert "no longer an anonymous scenario" in sent[0]


def test_a_scenario_without_identifying_details_stays_a_scenario() -> None:
    result, sent = validate(
        "concern", "a boy is often hungry", intent="describe_concern", consultation_type="scenario"
    )
    assert result == {"concern": "a boy is often hungry", "misunderstood": 0.0}
    assert sent == []


def test_a_named_child_with_a_name_in_the_concern_is_not_told_it_changed() -> None:
    result, sent = validate(
        "concern", "Sam Jones (aged 7) is often hungry", consultation_type="named_child"
    )
    assert "consultation_type" not in result
    assert sent == []


def test_a_domestic_abuse_concern_is_asked_its_dash_grade_next(services: Services) -> None:
    # The notification route comes with the grade's answer (issue 16 part 4), not twice.
    result, sent = validate(
        "concern", "police attended a domestic at the house", intent="domestic_abuse"
    )
    assert result["topic"] == "domestic_abuse"
    assert sent == []


def test_an_adult_concern_in_the_concern_gets_the_adults_route(services: Services) -> None:
    result, sent = validate("concern", "mum is being exploited", intent="adult_concern")
    assert result["topic"] == "adult"
    assert sent == messages.adult_route(services.facts)


def test_a_long_concern_is_cut_to_its_limit() -> None:
    result, _ = validate("concern", "worried " * 1000)
    assert len(result["concern"]) <= 2000


# --- the threshold questions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "action", [ActionAskQHarm(), ActionAskQNeeds(), ActionAskQSupport(), ActionAskQConsent()]
)
def test_each_threshold_question_is_asked_with_a_button_per_choice(action: Any) -> None:
    question = QUESTIONS_BY_KEY[action.key]
    events, sent = run(action, tracker({"line_open": True}))
    assert events == []
    assert texts(sent) == [question.text]
    assert sent[0]["buttons"] == [
        {"title": choice.title, "payload": choice.value} for choice in question.choices
    ]


# --- rule 7 inside the form: the confirming question and the threshold question's "Yes" -------

PENDING = {"immediate_danger": False, "categories": []}
NAMED_SO_FAR = {
    "line_open": True,
    "role_type": "professional",
    "consultation_type": "named_child",
    "child_name": "Sam Jones",
    "concern": "mum is struggling with the new baby",
}


def test_yes_to_the_confirming_question_confirms_flags_and_records(services: Services) -> None:
    result, said = validate(
        "harm_confirmation", "/affirm", intent="affirm", harm_pending=PENDING, **NAMED_SO_FAR
    )
    assert result["significant_harm"] is True
    assert result["harm_pending"] is None
    assert result["contact_reference"] == "PCL-2026-000001"
    assert "gives reasonable cause to suspect" in said[0]
    assert "01332 641172" in said[0]
    assert stat_count(StatEvent.SIGNIFICANT_HARM) == 1


def test_no_to_the_confirming_question_flags_nothing_and_carries_on() -> None:
    result, said = validate(
        "harm_confirmation", "/deny", intent="deny", harm_pending=PENDING, **NAMED_SO_FAR
    )
    assert result == {"harm_confirmation": None, "misunderstood": 0.0, "harm_pending": None}
    assert said == ["Thank you. Nothing has been flagged. Let's carry on."]
    assert stat_count(StatEvent.SIGNIFICANT_HARM) == 0


def test_anything_else_to_the_confirming_question_is_asked_again() -> None:
    result, said = validate(
        "harm_confirmation", "maybe later", intent="inform", harm_pending=PENDING
    )
    assert result["harm_confirmation"] is None
    assert said == ["Sorry, please choose one of the options."]


def test_yes_to_the_threshold_harm_question_is_the_harm_path_at_once(services: Services) -> None:
    result, said = validate("q_harm", "yes", intent="affirm", **NAMED_SO_FAR)
    assert result["q_harm"] == "yes"
    assert result["significant_harm"] is True
    assert result["contact_reference"] == "PCL-2026-000001"
    assert "Call the Initial Response Team (IRT) now on 01332 641172" in said[0]
    assert "Online Referral Form" in said[1]


def test_not_sure_to_the_threshold_harm_question_is_not_significant_harm() -> None:
    result, said = validate("q_harm", "not sure", intent="unsure", **NAMED_SO_FAR)
    assert result == {"q_harm": "unsure", "misunderstood": 0.0}
    assert said == []


def test_a_confirmed_concern_is_recorded_once_the_caller_says_named_child() -> None:
    result, said = validate(
        "consultation_type",
        "/named_child",
        intent="named_child",
        line_open=True,
        significant_harm=True,
        concern="she told me her dad hits her",
    )
    assert result["consultation_type"] == "named_child"
    assert result["contact_reference"] == "PCL-2026-000001"
    assert said == [messages.harm_flagged("PCL-2026-000001")]


def test_a_confirmed_concern_about_a_scenario_is_not_recorded() -> None:
    result, said = validate(
        "consultation_type",
        "/scenario",
        intent="scenario",
        line_open=True,
        significant_harm=True,
        concern="what if a child said her dad hits her",
    )
    assert result["consultation_type"] == "scenario"
    assert result["contact_reference"] is None
    assert "nothing you've told me is recorded" in said[0]


@pytest.mark.parametrize(
    "text",
    [
        "Health visitor - mum has asked if there are any parenting courses near her",
        "Nursery manager - a family where dad has lost his job and they are struggling",
        "GP here - dad brought in his 8 yr old and mentioned money is tight",
    ],
)
def test_a_professional_answering_with_their_concern_is_a_professional_and_it_is_kept(
    text: str,
) -> None:
    result, said = validate("role_type", text, intent="member_of_public")
    assert result == {"role_type": "professional", "misunderstood": 0.0, "concern": text}
    assert said == []


def test_a_concern_with_no_role_asks_again_and_keeps_the_concern() -> None:
    text = "mum is finding it hard with the new baby and she is very tired all the time"
    result, said = validate("role_type", text, intent="describe_concern")
    assert result["role_type"] is None and result["concern"] == text
    assert said == ["Thank you, I've noted that. First, please choose one of the options."]


def test_no_to_a_domestic_abuse_message_read_as_possible_harm_gives_the_da_route(
    services: Services,
) -> None:
    pending = {**PENDING, "classified": "domestic_abuse"}
    result, said = validate(
        "harm_confirmation", "/deny", intent="deny", harm_pending=pending, **NAMED_SO_FAR
    )
    assert result["topic"] == "domestic_abuse"
    assert said[1:] == messages.domestic_abuse_route(services.facts)


# --- the duty manager's first questions (issue 16) --------------------------------------------


@pytest.mark.parametrize(
    ("slot", "text", "value"),
    [
        ("child_in_city", "yes", "yes"),
        ("child_in_city", "Yes, in Derby city", "yes"),
        ("child_in_city", "they live in Derby", "yes"),
        ("child_in_city", "no, Derbyshire", "no"),
        ("child_in_city", "they live in the county, Belper", "no"),
        ("child_in_city", "not sure", "not_known"),
        ("child_open_to_csc", "no", "no"),
        ("child_open_to_csc", "she has a social worker", "yes"),
        ("child_open_to_csc", "no social worker", "no"),
        ("child_open_to_csc", "don't know", "not_known"),
        ("other_children", "two younger brothers", "yes"),
        ("other_children", "no, only child", "no"),
        ("other_children", "not_known", "not_known"),
    ],
)
def test_the_duty_questions_read_buttons_and_free_text(slot: str, text: str, value: str) -> None:
    result, _ = validate(slot, text, line_open=True, consultation_type="named_child")
    assert result[slot] == value


def test_a_county_child_is_given_derbyshires_front_door_from_the_service_file() -> None:
    result, said = validate("child_in_city", "no", line_open=True, consultation_type="scenario")
    assert result["child_in_city"] == "no"
    county = get_services().facts.county_front_door
    assert any(county.phone.number in text and county.name in text for text in said)


def test_an_open_case_goes_to_the_allocated_worker_with_the_urgent_routes() -> None:
    result, said = validate(
        "child_open_to_csc", "yes", line_open=True, consultation_type="named_child"
    )
    assert result["child_open_to_csc"] == "yes"
    joined = " ".join(said)
    facts = get_services().facts
    assert "allocated social worker" in joined and "Locality Team" in joined
    assert facts.irt.phone.number in joined and facts.emergency.phone.number in joined


def test_the_family_question_answers_the_consent_question_too() -> None:
    for answer, consent in (("yes", "yes"), ("no", "not_asked"), ("disagree", "no")):
        result, _ = validate("family_aware", answer, line_open=True)
        assert result["q_consent"] == consent
    harm, _ = validate("family_aware", "yes", line_open=True, significant_harm=True)
    assert "q_consent" not in harm


# --- sharing without consent: the reason (ISA "Consent") ---------------------------------------


@pytest.mark.parametrize("family", ["no", "disagree", "unsure"])
@pytest.mark.parametrize("harm", [False, True])
def test_a_named_child_shared_without_consent_is_asked_the_reason_next(
    family: str, harm: bool
) -> None:
    slots = required_slots(
        line_open=True,
        consultation_type="named_child",
        child_in_city="yes",
        child_open_to_csc="no",
        family_aware=family,
        significant_harm=harm,
    )
    assert slots[slots.index("family_aware") + 1] == "consent_reason"
    assert slots.count("consent_reason") == 1


def test_the_reason_is_not_asked_when_the_family_agrees_nor_for_a_scenario() -> None:
    agreed = required_slots(line_open=True, consultation_type="named_child", family_aware="yes")
    assert "consent_reason" not in agreed
    scenario = required_slots(line_open=True, consultation_type="scenario", family_aware="no")
    assert "consent_reason" not in scenario


def test_the_reason_is_asked_with_a_button_for_each_of_the_isas_reasons() -> None:
    events, sent = run(ActionAskConsentReason(), tracker({"line_open": True}))
    assert events == []
    [message] = sent
    assert message["text"] == CONSENT_REASON_QUESTION
    assert message["buttons"] == [{"title": r.title, "payload": r.value} for r in REASONS]


def test_a_reasons_button_keeps_the_reason_in_full() -> None:
    for reason in REASONS:
        result, said = validate("consent_reason", reason.value, line_open=True)
        assert result["consent_reason"] == reason.recorded and said == []


def test_a_reason_in_the_callers_own_words_is_kept() -> None:
    words = "Dad is the one hurting her  and   would stop her coming to school"
    result, _ = validate("consent_reason", words, line_open=True)
    assert (
        result["consent_reason"] == "Dad is the one hurting her and would stop her coming to school"
    )


def test_an_answer_without_a_reason_is_asked_for_again_politely() -> None:
    result, said = validate("consent_reason", "ok", line_open=True)
    assert result["consent_reason"] is None
    assert said[0].startswith(POLITE_REASK) and "reason" in said[0]


# --- domestic abuse: the DASH grade (issue 16 part 4) -----------------------------------------


def test_domestic_abuse_asks_the_dash_grade_after_the_concern() -> None:
    slots = required_slots(
        line_open=True,
        consultation_type="scenario",
        child_in_city="yes",
        child_open_to_csc="no",
        topic="domestic_abuse",
    )
    assert slots[slots.index("concern") + 1] == "dash_grade"
    harm = required_slots(
        line_open=True, consultation_type="scenario", topic="domestic_abuse", significant_harm=True
    )
    assert "dash_grade" not in harm  # the urgent routes come first; the IRT asks the rest


@pytest.mark.parametrize(
    ("text", "grade", "said"),
    [
        ("High risk", "high", "within 24 hours"),
        ("it was graded medium", "medium", "DA Triage"),
        ("standard", "standard", "within 7 days"),
        ("don't know", "not_known", "DA Triage"),
    ],
)
def test_each_dash_grade_gives_its_route_with_sdat(text: str, grade: str, said: str) -> None:
    result, messages_ = validate("dash_grade", text, line_open=True, topic="domestic_abuse")
    assert result["dash_grade"] == grade
    joined = " ".join(messages_)
    assert said in joined and "SDAT" in joined
    assert "the child's own needs decide the level" in joined
    if grade == "high":
        assert "strategy discussion" in joined


def test_a_domestic_abuse_concern_sets_the_topic_and_leaves_the_route_to_the_grade() -> None:
    result, said = validate(
        "concern",
        "Police were called to a domestic abuse incident last night",
        intent="domestic_abuse",
        line_open=True,
        consultation_type="scenario",
    )
    assert result["topic"] == "domestic_abuse"
    assert said == []
