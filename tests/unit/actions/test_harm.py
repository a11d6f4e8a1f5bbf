"""Rule 7, from any step and at any hour: the urgent routes in the very next reply (999 first
when a child is in immediate danger), the contact flagged for the IRT at once, then the details."""

from __future__ import annotations

from collections.abc import Callable

from rasa_sdk.events import SlotSet

from actions.harm import ActionHarmHandoff
from actions.services import Services
from bot.domain import messages
from bot.domain.statistics import StatEvent
from tests.unit.actions.conftest import (
    CLOSED_IRT_OPEN,
    OUT_OF_HOURS,
    contact,
    contact_count,
    run,
    stat_count,
    texts,
    tracker,
)

HANDOFF = ActionHarmHandoff()
DISCLOSURE = "she told me her dad hits her with a belt"
HOME_ALONE = "toddler home alone right now"
FIRST_REFERENCE = "PCL-2026-000001"


def test_immediate_danger_gives_999_first_then_the_irt_then_the_reference(
    services: Services,
) -> None:
    events, sent = run(
        HANDOFF, tracker({"line_open": True}, intent="immediate_danger", text=HOME_ALONE)
    )
    said = texts(sent)
    assert said[0] == "If the child is in immediate danger, call 999 now."
    assert said[:-1] == messages.harm_handoff(services.facts, services.clock.now(), True)
    assert "Call the Initial Response Team (IRT) now on 01332 641172" in said[1]
    assert said[-1] == messages.harm_flagged(FIRST_REFERENCE)
    assert events == [
        SlotSet("significant_harm", True),
        SlotSet("immediate_danger", True),
        SlotSet("harm_categories", ["immediate_danger", "neglect"]),
        SlotSet("concern", HOME_ALONE),
        SlotSet("consultation_done", False),
        SlotSet("consultation_type", "named_child"),
        SlotSet("contact_reference", FIRST_REFERENCE),
    ]


def test_the_contact_is_recorded_and_flagged_before_any_details_are_taken() -> None:
    run(HANDOFF, tracker({"line_open": True}, intent="immediate_danger", text=HOME_ALONE))
    assert contact_count() == 1
    flagged = contact(FIRST_REFERENCE)
    assert flagged.significant_harm
    assert flagged.immediate_danger
    assert flagged.harm_categories == ["immediate_danger", "neglect"]
    assert flagged.concern == HOME_ALONE
    assert flagged.suggested_level == "Specialist"
    assert flagged.caller.name is None
    assert flagged.child.name is None
    assert stat_count(StatEvent.SIGNIFICANT_HARM) == 1


def test_significant_harm_without_danger_now_does_not_lead_with_999() -> None:
    events, sent = run(
        HANDOFF, tracker({"line_open": True}, intent="significant_harm", text=DISCLOSURE)
    )
    said = texts(sent)
    assert said[0].startswith("What you've told me gives reasonable cause to suspect")
    assert not any("call 999 now" in text for text in said)
    # The classifier can read a danger now as significant harm only: 999 still comes, after
    # the IRT.
    assert said[0].endswith("If the child could be in immediate danger, call 999.")
    assert said[0].index("01332 641172") < said[0].index("999")
    assert SlotSet("immediate_danger", False) in events
    assert SlotSet("contact_reference", FIRST_REFERENCE) in events
    flagged = contact(FIRST_REFERENCE)
    assert flagged.significant_harm
    assert not flagged.immediate_danger
    assert flagged.harm_categories == ["disclosure"]


def test_the_safety_net_finds_danger_now_whatever_the_intent() -> None:
    events, sent = run(
        HANDOFF, tracker({"line_open": True}, intent="significant_harm", text=HOME_ALONE)
    )
    assert texts(sent)[0] == "If the child is in immediate danger, call 999 now."
    assert SlotSet("immediate_danger", True) in events


def test_the_answers_already_given_go_into_the_contact() -> None:
    slots = {
        "line_open": True,
        "role_type": "professional",
        "caller_name": "Jane Smith",
        "caller_role": "DSL",
        "caller_agency": "Ashgate Primary",
        "caller_address": "jane.smith@ashgate.derby.sch.uk",
        "caller_phone": "01332 123456",
        "consultation_type": "named_child",
        "child_name": "Sam Jones",
        "child_dob": "2017-03-03",
        "concern": "he's often hungry",
    }
    events, _ = run(HANDOFF, tracker(slots, intent="significant_harm", text=DISCLOSURE))
    assert SlotSet("concern", f"he's often hungry\n{DISCLOSURE}") in events
    assert not any(event["name"] == "consultation_type" for event in events)
    flagged = contact(FIRST_REFERENCE)
    assert flagged.caller.name == "Jane Smith"
    assert flagged.caller.email == "jane.smith@ashgate.derby.sch.uk"
    assert flagged.child.name == "Sam Jones"
    assert flagged.child.date_of_birth.isoformat() == "2017-03-03"
    assert flagged.concern == f"he's often hungry\n{DISCLOSURE}"


def test_a_second_harm_message_completes_the_same_contact() -> None:
    first, _ = run(
        HANDOFF, tracker({"line_open": True}, intent="significant_harm", text=DISCLOSURE)
    )
    slots = {"line_open": True, **{event["name"]: event["value"] for event in first}}
    events, sent = run(HANDOFF, tracker(slots, intent="immediate_danger", text=HOME_ALONE))
    assert SlotSet("contact_reference", FIRST_REFERENCE) in events
    assert texts(sent)[0] == "If the child is in immediate danger, call 999 now."
    assert contact_count() == 1
    flagged = contact(FIRST_REFERENCE)
    assert flagged.immediate_danger
    assert flagged.harm_categories == ["disclosure", "immediate_danger", "neglect"]
    assert flagged.concern == f"{DISCLOSURE}\n{HOME_ALONE}"
    assert stat_count(StatEvent.SIGNIFICANT_HARM) == 1  # one concern, counted once


def test_an_anonymous_scenario_is_not_recorded() -> None:
    slots = {
        "line_open": True,
        "role_type": "professional",
        "consultation_type": "scenario",
        "concern": "a boy is often hungry",
    }
    events, sent = run(HANDOFF, tracker(slots, intent="significant_harm", text=DISCLOSURE))
    assert texts(sent)[-1] == messages.harm_flagged(None)
    assert "nothing you've told me is recorded" in texts(sent)[-1]
    assert events == [
        SlotSet("significant_harm", True),
        SlotSet("immediate_danger", False),
        SlotSet("harm_categories", ["disclosure"]),
        SlotSet("concern", f"a boy is often hungry\n{DISCLOSURE}"),
        SlotSet("consultation_done", False),
    ]
    assert contact_count() == 0
    assert stat_count(StatEvent.SIGNIFICANT_HARM) == 1


def test_a_scenario_that_identifies_the_child_is_recorded() -> None:
    slots = {"line_open": True, "consultation_type": "scenario"}
    text = "Sam Jones (aged 7) told me his dad hits him with a belt"
    events, sent = run(HANDOFF, tracker(slots, intent="significant_harm", text=text))
    assert SlotSet("consultation_type", "named_child") in events
    assert SlotSet("contact_reference", FIRST_REFERENCE) in events
    assert texts(sent)[-1] == messages.harm_flagged(FIRST_REFERENCE)
    assert contact_count() == 1


def test_a_closed_line_still_hands_off_at_once(at: Callable[[str], Services]) -> None:
    at(CLOSED_IRT_OPEN)
    events, sent = run(
        HANDOFF, tracker({"line_open": False}, intent="significant_harm", text=DISCLOSURE)
    )
    assert "Call the Initial Response Team (IRT) now on 01332 641172" in texts(sent)[0]
    assert SlotSet("contact_reference", FIRST_REFERENCE) in events
    assert contact_count() == 1


def test_out_of_hours_the_urgent_route_is_the_care_line(at: Callable[[str], Services]) -> None:
    at(OUT_OF_HOURS)
    _, sent = run(
        HANDOFF, tracker({"line_open": False}, intent="immediate_danger", text=HOME_ALONE)
    )
    said = texts(sent)
    assert said[0] == "If the child is in immediate danger, call 999 now."
    assert "Derby City Care Line (out of hours) on 01332 956606" in said[1]
    assert contact(FIRST_REFERENCE).created_at.isoformat().startswith("2026-11-28")
