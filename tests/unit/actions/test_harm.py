"""Rule 7, from any step and at any hour: the urgent routes in the very next reply (999 first
when a child is in immediate danger); a certain signal confirmed and a named child flagged for
the IRT at once; an uncertain one confirmed by the caller first; a scenario never recorded."""

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
    certain,
    contact,
    contact_count,
    run,
    stat_count,
    texts,
    tracker,
    uncertain,
)

HANDOFF = ActionHarmHandoff()
DISCLOSURE = "she told me her dad hits her with a belt"
HOME_ALONE = "toddler home alone right now"
MILD = "mum is finding it hard with a new baby and the 4 year old isn't at nursery much"
FIRST_REFERENCE = "PCL-2026-000001"
NAMED = {"line_open": True, "consultation_type": "named_child"}
REASONABLE_CAUSE = "gives reasonable cause to suspect"


def slots_of(events: list[dict]) -> dict:
    return {event["name"]: event["value"] for event in events}


def test_immediate_danger_gives_999_first_then_the_irt_then_the_reference(
    services: Services,
) -> None:
    events, sent = run(
        HANDOFF, tracker(NAMED, intent="immediate_danger", text=HOME_ALONE, parse=certain(True))
    )
    said = texts(sent)
    assert said[0] == "If the child is in immediate danger, call 999 now."
    assert said[:-1] == messages.harm_handoff(services.facts, services.clock.now(), True)
    assert "Call the Initial Response Team (IRT) now on 01332 641172" in said[1]
    assert said[-1] == messages.harm_flagged(FIRST_REFERENCE)
    slots = slots_of(events)
    assert slots["significant_harm"] is True
    assert slots["immediate_danger"] is True
    assert slots["harm_categories"] == ["immediate_danger", "neglect"]
    assert slots["concern"] == HOME_ALONE
    assert slots["contact_reference"] == FIRST_REFERENCE
    assert slots["harm_pending"] is None


def test_a_certain_signal_about_a_named_child_is_recorded_and_flagged_at_once() -> None:
    run(HANDOFF, tracker(NAMED, intent="immediate_danger", text=HOME_ALONE, parse=certain(True)))
    assert contact_count() == 1
    flagged = contact(FIRST_REFERENCE)
    assert flagged.significant_harm
    assert flagged.immediate_danger
    assert flagged.harm_categories == ["immediate_danger", "neglect"]
    assert flagged.concern == HOME_ALONE
    assert flagged.suggested_level == "Specialist"
    assert flagged.caller.name is None
    assert stat_count(StatEvent.SIGNIFICANT_HARM) == 1


def test_an_uncertain_signal_gives_the_urgent_routes_and_flags_nothing(
    services: Services,
) -> None:
    events, sent = run(
        HANDOFF, tracker(NAMED, intent="significant_harm", text=MILD, parse=uncertain())
    )
    said = texts(sent)
    assert said == messages.harm_urgent_routes(services.facts, services.clock.now(), False)
    assert "01332 641172" in said[-1] and "999" in said[-1]
    assert not any(REASONABLE_CAUSE in text for text in said)
    slots = slots_of(events)
    assert slots["harm_pending"] == {
        "immediate_danger": False,
        "categories": [],
        "classified": None,
    }
    assert "significant_harm" not in slots
    assert slots["concern"] == MILD  # kept, never asked for again
    assert contact_count() == 0
    assert stat_count(StatEvent.SIGNIFICANT_HARM) == 0


def test_a_payload_with_no_signal_is_confirmed_by_the_caller_like_an_uncertain_one() -> None:
    events, _ = run(HANDOFF, tracker(NAMED, intent="significant_harm", text="/significant_harm"))
    assert slots_of(events)["harm_pending"] is not None
    assert "concern" not in slots_of(events) or slots_of(events)["concern"] is None
    assert contact_count() == 0


def test_a_harm_message_in_answer_to_the_confirming_question_confirms_it() -> None:
    pending = {**NAMED, "harm_pending": {"immediate_danger": False, "categories": []}}
    events, sent = run(
        HANDOFF, tracker(pending, intent="significant_harm", text=DISCLOSURE, parse=uncertain())
    )
    assert REASONABLE_CAUSE in texts(sent)[0]
    assert slots_of(events)["contact_reference"] == FIRST_REFERENCE
    assert contact(FIRST_REFERENCE).significant_harm


def test_before_named_or_scenario_is_known_it_asks_which_and_records_nothing() -> None:
    events, sent = run(
        HANDOFF,
        tracker({"line_open": True}, intent="significant_harm", text=DISCLOSURE, parse=certain()),
    )
    said = texts(sent)
    assert REASONABLE_CAUSE in said[0]
    assert said[-1] == messages.harm_ask_kind()
    slots = slots_of(events)
    assert slots["significant_harm"] is True
    assert slots["consultation_type"] is None
    assert slots["contact_reference"] is None
    assert contact_count() == 0


def test_significant_harm_without_danger_now_does_not_lead_with_999() -> None:
    events, sent = run(
        HANDOFF, tracker(NAMED, intent="significant_harm", text=DISCLOSURE, parse=certain())
    )
    said = texts(sent)
    assert said[0].startswith("What you've told me gives reasonable cause to suspect")
    assert not any("call 999 now" in text for text in said)
    # The classifier can read a danger now as significant harm only: 999 still comes, after
    # the IRT.
    assert said[0].endswith("If the child could be in immediate danger, call 999.")
    assert said[0].index("01332 641172") < said[0].index("999")
    assert SlotSet("immediate_danger", False) in events
    flagged = contact(FIRST_REFERENCE)
    assert flagged.significant_harm
    assert not flagged.immediate_danger
    assert flagged.harm_categories == ["disclosure"]


def test_the_safety_net_finds_danger_now_whatever_the_intent() -> None:
    events, sent = run(
        HANDOFF, tracker(NAMED, intent="significant_harm", text=HOME_ALONE, parse=certain())
    )
    assert texts(sent)[0] == "If the child is in immediate danger, call 999 now."
    assert SlotSet("immediate_danger", True) in events


def test_the_answers_already_given_go_into_the_contact() -> None:
    slots = {
        **NAMED,
        "role_type": "professional",
        "caller_name": "Jane Smith",
        "caller_role": "DSL",
        "caller_agency": "Ashgate Primary",
        "caller_address": "jane.smith@ashgate.derby.sch.uk",
        "caller_phone": "01332 123456",
        "child_name": "Sam Jones",
        "child_dob": "2017-03-03",
        "concern": "he's often hungry",
    }
    events, _ = run(
        HANDOFF, tracker(slots, intent="significant_harm", text=DISCLOSURE, parse=certain())
    )
    assert SlotSet("concern", f"he's often hungry\n{DISCLOSURE}") in events
    assert SlotSet("consultation_type", "named_child") in events
    flagged = contact(FIRST_REFERENCE)
    assert flagged.caller.name == "Jane Smith"
    assert flagged.caller.email == "jane.smith@ashgate.derby.sch.uk"
    assert flagged.child.name == "Sam Jones"
    assert flagged.child.date_of_birth.isoformat() == "2017-03-03"
    assert flagged.concern == f"he's often hungry\n{DISCLOSURE}"


def test_a_second_harm_message_completes_the_same_contact() -> None:
    first, _ = run(
        HANDOFF, tracker(NAMED, intent="significant_harm", text=DISCLOSURE, parse=certain())
    )
    slots = {"line_open": True, **slots_of(first)}
    events, sent = run(
        HANDOFF, tracker(slots, intent="immediate_danger", text=HOME_ALONE, parse=uncertain())
    )
    assert SlotSet("contact_reference", FIRST_REFERENCE) in events
    said = texts(sent)
    assert said[0] == "If the child is in immediate danger, call 999 now."
    assert not any(REASONABLE_CAUSE in text for text in said)  # said once
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
    events, sent = run(
        HANDOFF, tracker(slots, intent="significant_harm", text=DISCLOSURE, parse=certain())
    )
    assert "nothing you've told me is recorded" in texts(sent)[-1]
    assert "phone the Initial Response Team (IRT) now on 01332 641172" in texts(sent)[-1]
    assert slots_of(events)["contact_reference"] is None
    assert slots_of(events)["concern"] == f"a boy is often hungry\n{DISCLOSURE}"
    assert contact_count() == 0
    assert stat_count(StatEvent.SIGNIFICANT_HARM) == 1


def test_out_of_hours_a_scenario_is_sent_to_the_care_line(at: Callable[[str], Services]) -> None:
    at(OUT_OF_HOURS)
    slots = {"line_open": False, "consultation_type": "scenario"}
    _, sent = run(
        HANDOFF, tracker(slots, intent="significant_harm", text=DISCLOSURE, parse=certain())
    )
    said = " ".join(texts(sent))
    assert "phone Derby City Care Line (out of hours) now on 01332 956606" in said
    assert "IRT now" not in said


def test_a_scenario_that_identifies_the_child_is_recorded() -> None:
    slots = {"line_open": True, "consultation_type": "scenario"}
    text = "Sam Jones (aged 7) told me his dad hits him with a belt"
    events, sent = run(
        HANDOFF, tracker(slots, intent="significant_harm", text=text, parse=certain())
    )
    assert SlotSet("consultation_type", "named_child") in events
    assert SlotSet("contact_reference", FIRST_REFERENCE) in events
    assert texts(sent)[-1] == messages.harm_flagged(FIRST_REFERENCE)
    assert contact_count() == 1


def test_a_closed_line_still_hands_off_at_once(at: Callable[[str], Services]) -> None:
    at(CLOSED_IRT_OPEN)
    events, sent = run(
        HANDOFF,
        tracker(
            {**NAMED, "line_open": False},
            intent="significant_harm",
            text=DISCLOSURE,
            parse=certain(),
        ),
    )
    assert "Call the Initial Response Team (IRT) now on 01332 641172" in texts(sent)[0]
    assert SlotSet("contact_reference", FIRST_REFERENCE) in events
    assert contact_count() == 1


def test_out_of_hours_the_urgent_route_is_the_care_line(at: Callable[[str], Services]) -> None:
    at(OUT_OF_HOURS)
    _, sent = run(
        HANDOFF,
        tracker(
            {**NAMED, "line_open": False},
            intent="immediate_danger",
            text=HOME_ALONE,
            parse=certain(True),
        ),
    )
    said = texts(sent)
    assert said[0] == "If the child is in immediate danger, call 999 now."
    assert "Derby City Care Line (out of hours) on 01332 956606" in said[1]
    assert contact(FIRST_REFERENCE).created_at.isoformat().startswith("2026-11-28")


def test_a_professional_naming_their_role_in_a_harm_message_is_not_asked_again() -> None:
    events, _ = run(
        HANDOFF,
        tracker(
            {"line_open": True},
            intent="significant_harm",
            text="HV here - baby has a bruise on his cheek, mum can't explain it",
            parse=certain(),
        ),
    )
    assert slots_of(events)["role_type"] == "professional"


def test_a_harm_message_in_answer_to_the_consent_reason_is_the_reason_too() -> None:
    # The reason for sharing without consent often names the harm: the urgent routes come as
    # ever, and the answer is kept as the reason, so the question is not asked again.
    slots = {**NAMED, "family_aware": "no", "requested_slot": "consent_reason"}
    events, sent = run(
        HANDOFF, tracker(slots, intent="significant_harm", text=DISCLOSURE, parse=certain())
    )
    assert SlotSet("consent_reason", DISCLOSURE) in events
    assert REASONABLE_CAUSE in " ".join(texts(sent))
    elsewhere = {**NAMED, "requested_slot": "child_carers"}
    events, _ = run(
        HANDOFF, tracker(elsewhere, intent="significant_harm", text=DISCLOSURE, parse=certain())
    )
    assert "consent_reason" not in slots_of(events)


def test_a_clients_flagged_contacts_beyond_its_allowance_are_marked_as_a_possible_flood() -> None:
    def flag(number: int, client: str | None) -> str:
        metadata = {"metadata": {"client": client}} if client else {}
        parse = {**certain(), "message_id": f"message-{number}", **metadata}
        events, _ = run(
            HANDOFF, tracker(NAMED, intent="significant_harm", text=DISCLOSURE, parse=parse)
        )
        return slots_of(events)["contact_reference"]

    flooder = [flag(n, "ab" * 16) for n in range(5)]  # the API's keyed hash of its address
    others = [flag(5, "cd" * 16), flag(6, None), flag(7, "not a keyed hash")]
    assert [contact(r).flooding_source for r in flooder] == [False, False, False, True, True]
    assert not any(contact(r).flooding_source for r in others)
