"""Steps 7 and 8: the advice, the record (a contact for a named child; only a statistic for a
scenario), the close and the feedback."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from sqlalchemy import select

from actions.closing import ActionFeedback, ActionSubmitConsultation
from actions.harm import ActionHarmHandoff
from actions.services import Services, get_services
from bot.adapters.db.models import Contact
from bot.domain import messages
from bot.domain.levels import DECISION_NOTE, suggest_level
from bot.domain.statistics import StatEvent
from tests.unit.actions.conftest import (
    certain,
    contact,
    contact_count,
    run,
    stat_count,
    texts,
    tracker,
)

SUBMIT = ActionSubmitConsultation()
FIRST_REFERENCE = "PCL-2026-000001"
FEEDBACK_BUTTONS = [
    {"title": "Yes, it helped", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
]
CALLER = {
    "line_open": True,
    "role_type": "professional",
    "caller_name": "Jane Smith",
    "caller_role": "DSL",
    "caller_agency": "Ashgate Primary",
    "caller_address": "Ashgate Primary, Derby DE1 2FS",
    "caller_phone": "01332 123456",
}
NAMED_CHILD = {
    **CALLER,
    "consultation_type": "named_child",
    "child_name": "Sam Jones",
    "child_dob": "age 7",
    "child_address": "12 Elm Road, Derby DE22 1AB",
    "child_setting": "Ashgate Primary",
    "child_carers": "Mum, Kelly Jones",
    "concern": "attendance has dropped and he's late most mornings",
    "family_aware": "yes",
    "q_harm": "no",
    "q_needs": "some",
    "q_support": "partly",
    "q_consent": "yes",
}
SCENARIO = {
    **CALLER,
    "consultation_type": "scenario",
    "concern": "a boy is often tired",
    "q_harm": "no",
    "q_needs": "none",
    "q_support": "yes",
    "q_consent": "not_asked",
}
ANSWERS = {"harm": "no", "needs": "some", "support": "partly", "consent": "yes"}


def advice_for(services: Services, answers: dict[str, str], **flags: Any) -> list[str]:
    suggestion = suggest_level(answers, **flags)
    return messages.advice(services.facts, suggestion, services.clock.now())


def test_a_named_child_gets_the_advice_and_the_contacts_reference(services: Services) -> None:
    events, sent = run(SUBMIT, tracker(NAMED_CHILD))
    said = texts(sent)
    advice = advice_for(services, ANSWERS)
    assert said[: len(advice)] == advice
    assert said[0].startswith("Suggested level of need: Emerging needs.")
    assert said[len(advice) - 1] == DECISION_NOTE
    assert said[-2] == messages.closing(FIRST_REFERENCE)[0]
    assert f"recorded as contact {FIRST_REFERENCE}" in said[-2]
    assert said[-1] == messages.FEEDBACK_QUESTION
    assert sent[-1]["buttons"] == FEEDBACK_BUTTONS
    assert events == [
        SlotSet("consultation_done", True),
        SlotSet("suggested_level", "Emerging needs"),
        SlotSet("contact_reference", FIRST_REFERENCE),
    ]


def test_a_named_child_is_recorded_as_a_contact_with_the_answers() -> None:
    _, sent = run(SUBMIT, tracker(NAMED_CHILD))
    assert contact_count() == 1
    recorded = contact(FIRST_REFERENCE)
    assert recorded.caller.name == "Jane Smith"
    assert recorded.caller.email is None  # a postal address was given
    assert recorded.child.name == "Sam Jones"
    assert recorded.child.age_years == 7
    assert recorded.child.date_of_birth is None
    assert recorded.family_aware == "yes"
    assert recorded.threshold_answers == ANSWERS
    assert recorded.suggested_level == "Emerging needs"
    assert not recorded.significant_harm
    assert recorded.advice_given == "\n".join(texts(sent)[:-2])
    assert stat_count(StatEvent.NAMED_CHILD_CONTACT) == 1
    assert stat_count(StatEvent.SCENARIO_ADVICE) == 0


def test_a_scenario_leaves_only_an_anonymous_statistic(services: Services) -> None:
    events, sent = run(SUBMIT, tracker(SCENARIO))
    said = texts(sent)
    assert said[0].startswith("Suggested level of need: Universal.")
    assert said[-2] == messages.closing(None)[0]
    assert "nothing you've told me has been kept" in said[-2]
    assert said[-1] == messages.FEEDBACK_QUESTION
    assert events == [
        SlotSet("consultation_done", True),
        SlotSet("suggested_level", "Universal"),
        SlotSet("contact_reference", None),
    ]
    assert contact_count() == 0
    assert stat_count(StatEvent.SCENARIO_ADVICE) == 1
    assert stat_count(StatEvent.NAMED_CHILD_CONTACT) == 0


def test_a_member_of_the_public_gets_the_public_routes(services: Services) -> None:
    events, sent = run(SUBMIT, tracker({"line_open": True, "role_type": "public"}))
    assert texts(sent) == messages.public_routes(services.facts, services.clock.now())
    assert events == [SlotSet("consultation_done", True)]
    assert contact_count() == 0
    assert stat_count(StatEvent.PUBLIC_REDIRECTED) == 1


def test_after_a_handoff_the_end_completes_the_same_contact(services: Services) -> None:
    first, _ = run(
        ActionHarmHandoff(),
        tracker(
            {**CALLER, "consultation_type": "named_child"},
            intent="significant_harm",
            text="she told me her dad hits her",
            parse=certain(),
        ),
    )
    slots = {
        **NAMED_CHILD,
        **{event["name"]: event["value"] for event in first},
        "q_harm": None,
        "q_needs": None,
        "q_support": None,
        "q_consent": None,
    }
    events, sent = run(SUBMIT, tracker(slots))
    assert texts(sent)[0].startswith("Suggested level of need: Specialist.")
    assert SlotSet("contact_reference", FIRST_REFERENCE) in events
    assert SlotSet("suggested_level", "Specialist") in events
    assert contact_count() == 1
    recorded = contact(FIRST_REFERENCE)
    assert recorded.significant_harm
    assert recorded.child.name == "Sam Jones"
    assert recorded.advice_given is not None
    assert stat_count(StatEvent.NAMED_CHILD_CONTACT) == 0  # counted once, as significant harm
    assert stat_count(StatEvent.SIGNIFICANT_HARM) == 1


def test_nothing_is_advised_twice() -> None:
    events, sent = run(SUBMIT, tracker({**NAMED_CHILD, "consultation_done": True}))
    assert events == []
    assert sent == []
    assert contact_count() == 0


def test_nothing_is_advised_without_a_consultation() -> None:
    events, sent = run(SUBMIT, tracker({"line_open": False}))
    assert events == []
    assert sent == []


def test_feedback_is_counted_and_the_conversation_forgotten(services: Services) -> None:
    for intent in ("affirm", "deny"):
        events, sent = run(ActionFeedback(), tracker({"consultation_done": True}, intent=intent))
        assert events == [SlotSet("forget_conversation", True)]
        assert texts(sent) == ["Thank you for your feedback. " + messages.goodbye(services.facts)]
    assert stat_count(StatEvent.FEEDBACK) == 2


def test_by_sms_the_reference_and_the_next_steps_come_in_one_message(services: Services) -> None:
    _, sent = run(SUBMIT, tracker({**NAMED_CHILD, "channel": "sms"}))
    said = texts(sent)
    summary = said[-2]
    assert summary.startswith("Your record:") and f"contact {FIRST_REFERENCE}" in summary
    assert "Next steps: 1. " in summary and len(summary) <= 1600
    assert said[-1] == messages.FEEDBACK_QUESTION
    _, web = run(SUBMIT, tracker({**SCENARIO}))
    assert not any(text.startswith("Your record:") for text in texts(web))


def test_a_county_child_or_an_open_case_gets_no_level_and_no_contact() -> None:
    for slots in ({"child_in_city": "no"}, {"child_in_city": "yes", "child_open_to_csc": "yes"}):
        events, sent = run(SUBMIT, tracker({**CALLER, "consultation_type": "named_child", **slots}))
        assert not any("Suggested level" in text for text in texts(sent))
        assert texts(sent)[-1] == messages.FEEDBACK_QUESTION
        assert events == [SlotSet("consultation_done", True)]
    assert contact_count() == 0


def test_other_children_bring_think_family_into_the_advice() -> None:
    _, sent = run(SUBMIT, tracker({**SCENARIO, "other_children": "yes"}))
    assert any(text.startswith("Think family") for text in texts(sent))
    _, none = run(SUBMIT, tracker({**SCENARIO, "other_children": "no"}))
    assert not any(text.startswith("Think family") for text in texts(none))


def test_the_reason_for_sharing_without_consent_is_kept_encrypted_on_the_contact() -> None:
    reason = "Telling the family could put the child, or someone else, at greater risk of harm."
    slots = {**NAMED_CHILD, "family_aware": "no", "consent_reason": reason, "q_consent": None}
    run(SUBMIT, tracker(slots))
    recorded = contact(FIRST_REFERENCE)
    assert recorded.family_aware == "no"
    assert recorded.consent_reason == reason
    with get_services().sessions.begin() as session:
        stored = session.scalar(select(Contact.consent_reason))
    assert stored and reason not in stored and "greater risk" not in stored  # a token


def test_a_contact_not_asked_the_reason_keeps_none() -> None:
    run(SUBMIT, tracker(NAMED_CHILD))
    assert contact(FIRST_REFERENCE).consent_reason is None
