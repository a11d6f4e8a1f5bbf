"""The service rules of SPEC §2 (and the controls of §3), each held as whole conversations
through `POST /chat/api/messages` against the running stack, checking the replies and what
was, or was not, recorded in the database.

Times: November is GMT, so "11:00+00:00" is 11am in London; June is BST (UTC+1).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from tests.support.chat import WebChat
from tests.support.conversation import (
    ADULTS_PHONE,
    ASK_ADDRESS,
    ASK_AGENCY,
    ASK_CHILD_ADDRESS,
    ASK_CHILD_DOB,
    ASK_CHILD_NAME,
    ASK_CONFIRM_HARM,
    ASK_CONSENT_REASON,
    ASK_FAMILY_AWARE,
    ASK_HARM,
    ASK_KIND,
    ASK_NAME,
    ASK_OTHER_CHILDREN,
    ASK_PHONE,
    ASK_ROLE,
    ASK_ROLE_TITLE,
    CALLER,
    CARE_LINE,
    CARE_LINE_PHONE,
    CERTAIN_DISCLOSURE,
    CHILD,
    DECISION_IS_THE_IRTS,
    DHCFT_ADVICE_LINE,
    EMERGENCY,
    FORM_URL,
    HARM_NO,
    HARM_YES,
    IRT_PHONE,
    LINE_PHONE,
    OPENING_HOURS,
    REASONABLE_CAUSE,
    SAFEGUARDING_UNIT,
    SAFEGUARDING_UNIT_EXT,
    UNCERTAIN_DISCLOSURE,
    Conversation,
    Records,
    Reply,
    ahead_of_every_unflagged_contact,
    consult,
    contact,
    conversation,
    duty_first,
    files_containing,
    named_child,
    scenario,
    thresholds,
)
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

# Messages whose reading by the assistant the conversations rely on.
DISCLOSURE_BRUISE = "She told me her dad hit her and she has a bruise"
IMMEDIATE_DANGER = (
    "A child has just told me her stepdad is at home with a knife and she is scared to go home"
)
ADULT_CONCERN = "I'm worried about an elderly woman with dementia, her son is taking her money"
DOMESTIC_ABUSE = (
    "Police were called to a domestic abuse incident at the family home last night, "
    "the children were in the house"
)
MILD_CONCERN = "He has been late most mornings this term and often seems tired"
# Read as nothing the assistant knows (nlu_fallback), not as an intent such as `inform`.
NOT_UNDERSTOOD = ("xqzv blorp", "blorptastic frumple")
HUMAN_ROUTES = "You can speak to someone instead"


@pytest.fixture
def conv(chat: WebChat) -> Conversation:
    """The test's own conversation (its own cookie), keeping the replies."""
    return Conversation(chat)


def confirmed(conv: Conversation, reply: Reply) -> Reply:
    """Answers "Yes" to the confirming question when the signal was uncertain."""
    if ASK_CONFIRM_HARM in reply:
        assert REASONABLE_CAUSE not in reply, conv.transcript
        return conv.say(HARM_YES)
    assert REASONABLE_CAUSE in reply, conv.transcript
    return reply


def thresholds_after_family(conv: Conversation) -> Reply:
    """Family aware, then the four threshold questions with no harm suspected: the advice."""
    assert ASK_HARM in conv.say("yes"), conv.transcript
    return thresholds(conv, "no", "some", "partly", "yes")


def alerts_for(stack: Stack, reference: str) -> list[str]:
    return [
        r.form.get("Body", "")
        for r in stack.twilio_api.requests
        if reference in r.form.get("Body", "")
    ]


def wait_for_alert(stack: Stack, reference: str) -> str:
    return stack.twilio_api.wait_for(lambda r: reference in r.form.get("Body", "")).form["Body"]


def first_text(conv: Conversation) -> str:
    return conv.replies[-1].texts[0]


# --- Rule 1 (hours) and rule 12 (the closed message) ------------------------------------------


@dataclass(frozen=True)
class Moment:
    iso: str
    urgent_number: str  # where an urgent concern goes at that moment
    next_opening: str
    why: str

    def __str__(self) -> str:
        return self.why


CLOSED_MOMENTS = (
    Moment("2026-11-28T12:00:00+00:00", CARE_LINE_PHONE, "Monday 30 November", "saturday-noon"),
    Moment("2026-11-26T09:59:00+00:00", IRT_PHONE, "today", "weekday-09-59"),
    Moment("2026-11-26T16:00:00+00:00", IRT_PHONE, "Friday 27 November", "weekday-16-00"),
    Moment(
        "2026-12-28T12:00:00+00:00", CARE_LINE_PHONE, "Tuesday 29 December", "boxing-day-substitute"
    ),
    # 16:30 BST is 15:30 UTC: open by UTC's clock, closed by London's.
    Moment("2026-06-04T15:30:00+00:00", IRT_PHONE, "Friday 5 June", "bst-16-30"),
)


@pytest.fixture(scope="module", params=CLOSED_MOMENTS, ids=str)
def closed_moment(request: pytest.FixtureRequest) -> Moment:
    # Module scope only groups the tests by moment (fewer action-server restarts); each test
    # still sets the clock itself, as a test in between may have moved it.
    return request.param


def test_rule_1_a_conversation_begun_while_closed_gets_the_closed_message_and_no_consultation(
    stack: Stack, conv: Conversation, closed_moment: Moment
) -> None:
    stack.set_clock(closed_moment.iso)
    before = Records.now(stack)
    # Typed, not a button's payload: the closed message offers no buttons, and a payload that
    # was not offered is read as text (rasa_ext/offered.py).
    for text in ("hello", "/professional", CALLER["name"], "a named child"):
        reply = conv.say(text)
        assert "is closed now" in reply, conv.transcript
        for question in (ASK_ROLE, ASK_NAME, ASK_KIND, ASK_CHILD_NAME):
            assert question not in reply, conv.transcript
    assert before.new_references(stack) == []
    events = before.new_events(stack)
    assert events["conversation_started"] == 1
    assert events["closed_attempt"] == 1
    assert set(events) == {"conversation_started", "closed_attempt"}


def test_rule_12_the_closed_message_gives_999_where_to_go_at_that_moment_the_form_and_the_hours(
    stack: Stack, conv: Conversation, closed_moment: Moment
) -> None:
    stack.set_clock(closed_moment.iso)
    reply = conv.say("hello")
    assert EMERGENCY in reply
    assert closed_moment.urgent_number in reply
    other = CARE_LINE_PHONE if closed_moment.urgent_number == IRT_PHONE else IRT_PHONE
    assert other not in reply, reply
    assert FORM_URL in reply
    assert OPENING_HOURS in reply and "closed on bank holidays" in reply
    assert f"we next open {closed_moment.next_opening} at 10am" in reply
    if closed_moment.urgent_number == CARE_LINE_PHONE:
        assert CARE_LINE in reply


@pytest.mark.parametrize(
    "iso",
    ["2026-11-26T10:00:00+00:00", "2026-06-04T09:30:00+00:00"],
    ids=["weekday-10-00-gmt", "weekday-10-30-bst"],
)
def test_rule_1_the_line_is_open_from_10am_london_time_on_a_weekday(
    stack: Stack, conv: Conversation, iso: str
) -> None:
    stack.set_clock(iso)
    reply = conv.say("hello")
    assert "We're open now" in reply
    assert ASK_ROLE in reply
    assert "closed" not in reply.text.replace("closed on bank holidays", "")


def test_rule_1_a_conversation_begun_at_15_59_continues_after_16_00_and_a_new_one_is_closed(
    stack: Stack, conv: Conversation
) -> None:
    stack.set_clock("2026-11-26T15:59:00+00:00")
    before = Records.now(stack)
    consult(conv)
    # The action server restarts with the new clock; Rasa keeps the conversation, whose
    # `line_open` was judged when it began.
    stack.set_clock("2026-11-26T16:05:00+00:00")
    named_child(conv)
    reply = conv.say(MILD_CONCERN)
    assert ASK_FAMILY_AWARE in reply, conv.transcript
    conv.say("yes")
    advice = thresholds(conv, "no", "some", "yes", "yes")
    assert "Suggested level of need: Emerging needs" in advice
    assert "is closed now" not in conv.transcript
    reference = advice.reference
    assert reference and before.new_references(stack) == [reference]
    assert contact(stack, reference).suggested_level == "Emerging needs"

    # Starting again after 16:00 is a new conversation: the line is closed for it.
    conv.say("start again")
    reply = conv.say("hello")
    assert "is closed now" in reply and ASK_ROLE not in reply, conv.transcript


def test_rule_1_a_conversation_begun_before_10_00_that_carries_on_after_opening_is_open(
    stack: Stack, conv: Conversation
) -> None:
    stack.set_clock("2026-11-26T09:55:00+00:00")
    before = Records.now(stack)
    reply = conv.say("hello")
    assert "is closed now" in reply and "we next open today at 10am" in reply, conv.transcript
    assert ASK_ROLE not in reply
    # The action server restarts with the clock at 10:05 (tests/support/stack.py set_clock);
    # Rasa keeps the conversation, whose `line_open` was judged closed when it began.
    stack.set_clock("2026-11-26T10:05:00+00:00")
    reply = conv.say("hello")
    assert ASK_ROLE in reply, conv.transcript
    assert "closed" not in reply.text.replace("closed on bank holidays", "")
    assert "we next open" not in reply and "10:05" not in reply
    # And it stays open: the consultation goes on to the advice and is recorded.
    consult(conv, greeting=None)
    named_child(conv)
    assert ASK_FAMILY_AWARE in conv.say(MILD_CONCERN), conv.transcript
    conv.say("yes")
    advice = thresholds(conv, "no", "some", "yes", "yes")
    assert "Suggested level of need: Emerging needs" in advice
    assert "is closed now" not in conv.transcript.split("we next open today at 10am")[-1]
    assert advice.reference and before.new_references(stack) == [advice.reference]


# --- Rule 2: not a referral service -----------------------------------------------------------


def test_rule_2_make_a_referral_is_told_not_a_referral_service_with_the_irt_and_the_form(
    in_hours: Stack, conv: Conversation
) -> None:
    reply = conv.say("I want to make a referral")
    assert "not a referral service" in reply
    assert "Initial Response Team" in reply and "Child Protection Manager" in reply
    assert IRT_PHONE in reply and FORM_URL in reply

    # Asked in the middle of the consultation: the same answer, then the same question again.
    with conversation(in_hours) as other:
        other.say_all(["hello", "/professional", CALLER["name"], CALLER["role"]])
        reply = other.say("I want to make a referral")
        assert "not a referral service" in reply and IRT_PHONE in reply and FORM_URL in reply
        assert reply.texts[-1].startswith(ASK_AGENCY), other.transcript
        assert ASK_ADDRESS in other.say(CALLER["agency"])


# --- Rule 3: what the line is for -------------------------------------------------------------


def test_rule_3_the_assistant_says_it_gives_advice_and_whether_the_threshold_for_a_referral_is_met(
    in_hours: Stack, conv: Conversation
) -> None:
    reply = conv.say("hello")
    assert "advice on concerns about a child" in reply
    assert "threshold for a referral" in reply
    reply = conv.say("help")
    assert "meets the threshold for a referral" in reply and EMERGENCY in reply


# --- Rule 4: named child → recorded contact ---------------------------------------------------


def test_rule_4_a_named_child_consultation_is_recorded_as_a_contact_with_the_reference_given(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    kind = consult(conv)
    assert "Named child: we record it" in kind and "Scenario:" in kind
    assert kind.payloads == ["/named_child", "/scenario"]
    named_child(conv)
    assert ASK_FAMILY_AWARE in conv.say(MILD_CONCERN), conv.transcript
    assert ASK_HARM in conv.say("yes"), conv.transcript
    advice = thresholds(conv, "no", "several", "partly", "yes")
    assert "Suggested level of need: Intensive" in advice
    reference = advice.reference
    assert reference, conv.transcript
    assert f"recorded as contact {reference}" in advice
    assert "Come back at any time" in advice
    assert advice.payloads == ["/affirm", "/deny"]

    assert before.new_references(in_hours) == [reference]
    record = contact(in_hours, reference)
    assert record.status == "new" and record.channel == "web"
    assert record.significant_harm is False and record.immediate_danger is False
    assert record.suggested_level == "Intensive"
    assert record.threshold_answers == {
        "harm": "no",
        "needs": "several",
        "support": "partly",
        "consent": "yes",  # the family question's "yes": never asked twice
        "other_children": "no",
    }
    assert record.caller.name == CALLER["name"]
    assert record.caller.role == CALLER["role"]
    assert record.caller.agency == CALLER["agency"]
    assert record.caller.email == CALLER["address"]
    assert record.caller.phone == CALLER["phone"]
    assert record.child.name == CHILD["name"]
    assert record.child.date_of_birth is not None
    assert record.child.date_of_birth.isoformat() == "2015-04-03"
    assert record.child.address == CHILD["address"]
    assert record.child.setting == CHILD["setting"]
    assert record.child.carers == CHILD["carers"]
    assert record.concern == MILD_CONCERN
    assert record.family_aware == "yes"
    assert record.advice_given and "Intensive" in record.advice_given

    reply = conv.say("/affirm")
    assert "Thank you for your feedback" in reply
    stats = before.new_statistics(in_hours)
    assert [(s.event, s.suggested_level) for s in stats if s.event == "named_child_contact"] == [
        ("named_child_contact", "Intensive")
    ]
    assert [s.topic for s in stats if s.event == "feedback"] == ["helpful"]


# --- Rule 5: scenario → not recorded ----------------------------------------------------------


def test_rule_5_a_scenario_leaves_no_contact_and_only_the_anonymous_scenario_advice_statistic(
    in_hours: Stack, conv: Conversation
) -> None:
    marker = f"zq{uuid.uuid4().hex[:12]}"
    before = Records.now(in_hours)
    consult(conv, caller={"name": f"Jane {marker}caller"})
    scenario(conv)
    reply = conv.say(f"A child in year 5, known as {marker}, is often tired in class")
    assert ASK_HARM in reply, conv.transcript
    advice = thresholds(conv, "no", "some", "partly", "not asked")
    assert "Suggested level of need: Emerging needs" in advice
    assert "nothing you've told me has been kept" in advice
    assert advice.reference is None
    conv.say("/affirm")

    assert before.new_references(in_hours) == []
    stats = before.new_statistics(in_hours)
    scenario_stats = [s for s in stats if s.event == "scenario_advice"]
    assert len(scenario_stats) == 1
    assert scenario_stats[0].suggested_level == "Emerging needs"
    assert scenario_stats[0].channel == "web"
    assert {s.event for s in stats} <= {"conversation_started", "scenario_advice", "feedback"}
    # Once the conversation has ended, the scenario's words are nowhere the system wrote.
    assert files_containing(in_hours, marker) == []


def test_rule_5_a_scenario_that_names_a_pupil_is_told_it_will_be_recorded_and_becomes_a_contact(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    scenario(conv)
    reply = conv.say("One of my pupils, Amy Jones, is often late and seems low")
    assert "no longer an anonymous scenario" in reply, conv.transcript
    assert "recorded as a contact" in reply
    assert ASK_CHILD_NAME in reply
    named = conv.say_all(
        [CHILD["name"], CHILD["dob"], CHILD["address"], CHILD["setting"], CHILD["carers"]]
    )
    assert ASK_FAMILY_AWARE in named, conv.transcript
    conv.say("yes")
    advice = thresholds(conv, "no", "some", "yes", "yes")
    reference = advice.reference
    assert reference and f"recorded as contact {reference}" in advice
    assert before.new_references(in_hours) == [reference]
    record = contact(in_hours, reference)
    assert record.child.name == CHILD["name"]
    assert record.suggested_level == "Emerging needs"
    assert "scenario_advice" not in before.new_events(in_hours)


def test_rule_5_a_scenario_whose_disclosure_names_a_pupil_is_told_it_is_no_longer_anonymous(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    scenario(conv)
    first = conv.say("One of my pupils, Amy Jones, told me her stepdad hits her with a belt")
    assert IRT_PHONE in first, conv.transcript
    reply = confirmed(conv, first)
    assert reply.reference, conv.transcript
    assert len(before.new_references(in_hours)) == 1
    assert "no longer an anonymous scenario" in reply, conv.transcript


# --- Rule 6: the caller's details -------------------------------------------------------------


def test_rule_6_every_consultation_starts_with_the_callers_name_role_agency_address_and_phone(
    in_hours: Stack, conv: Conversation
) -> None:
    asked = [
        conv.say(text).texts[-1]
        for text in ("hello", "/professional", "Jane Smith", "DSL", "Brookfield Primary")
    ]
    assert asked[0].startswith(ASK_ROLE)
    assert ASK_NAME in asked[1] and ASK_ROLE_TITLE in asked[2]
    assert ASK_AGENCY in asked[3] and ASK_ADDRESS in asked[4]
    assert ASK_PHONE in conv.say("jane.smith@brookfield.derby.sch.uk")
    assert ASK_KIND in conv.say("07700 900123")


def test_rule_6_an_invalid_phone_number_is_asked_for_again_politely(
    in_hours: Stack, conv: Conversation
) -> None:
    conv.say_all(["hello", "/professional", "Jane Smith", "DSL", "Brookfield Primary"])
    assert ASK_PHONE in conv.say("Council House, Corporation Street, Derby DE1 2FS")
    reply = conv.say("12345")
    assert reply.texts[0].startswith("Sorry, that doesn't look like a UK telephone number")
    assert reply.texts[-1].startswith(ASK_PHONE) and ASK_KIND not in reply
    assert ASK_KIND in conv.say("07700 900123"), conv.transcript


def test_rule_6_a_phone_number_given_in_a_sentence_is_accepted(
    in_hours: Stack, conv: Conversation
) -> None:
    conv.say_all(["hello", "/professional", "Jane Smith", "DSL", "Brookfield Primary"])
    assert ASK_PHONE in conv.say("Council House, Corporation Street, Derby DE1 2FS")
    assert ASK_KIND in conv.say("you can ring me on 07700 900123"), conv.transcript


def test_rule_6_an_address_without_a_postcode_or_a_broken_email_is_asked_for_again_politely(
    in_hours: Stack, conv: Conversation
) -> None:
    conv.say_all(["hello", "/professional", "Jane Smith", "DSL", "Brookfield Primary"])
    reply = conv.say("somewhere near the park in Derby")
    assert reply.texts[0].startswith("Sorry, I need a postal address with its postcode")
    assert reply.texts[-1].startswith(ASK_ADDRESS)
    reply = conv.say("jane.smith@")
    assert reply.texts[0].startswith("Sorry, I need a postal address")
    assert reply.texts[-1].startswith(ASK_ADDRESS) and ASK_PHONE not in reply
    assert ASK_PHONE in conv.say("Council House, Corporation Street, Derby DE1 2FS")


def test_rule_6_a_date_of_birth_in_the_future_or_that_does_not_exist_is_asked_for_again_politely(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    conv.say_all(["/named_child", "yes", "no", CHILD["name"]])
    reply = conv.say("3/4/2035")
    assert "That date is in the future" in reply and "unborn" in reply
    assert reply.texts[-1].startswith(ASK_CHILD_DOB) and ASK_CHILD_ADDRESS not in reply
    reply = conv.say("31/2/2015")
    assert "That date doesn't exist" in reply
    assert reply.texts[-1].startswith(ASK_CHILD_DOB) and ASK_CHILD_ADDRESS not in reply
    assert ASK_CHILD_ADDRESS in conv.say("3/4/2015")
    assert before.new_references(in_hours) == []


# --- Rule 7: significant harm → the IRT, at any hour ------------------------------------------


def test_rule_7_a_certain_disclosure_in_hours_flags_the_contact_and_gives_the_irt_and_the_form(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    named_child(conv)
    reply = conv.say(CERTAIN_DISCLOSURE)
    assert REASONABLE_CAUSE in reply
    assert ASK_CONFIRM_HARM not in reply
    assert f"Initial Response Team (IRT) now on {IRT_PHONE}" in reply
    assert FORM_URL in reply
    assert CARE_LINE_PHONE not in reply
    reference = reply.reference
    assert reference and f"flagged this for the IRT as contact {reference}" in reply

    # Recorded and flagged at once, before the consultation is finished.
    assert before.new_references(in_hours) == [reference]
    early = contact(in_hours, reference)
    assert early.significant_harm is True and early.suggested_level == "Specialist"
    assert early.harm_categories and early.concern == CERTAIN_DISCLOSURE
    assert early.child.name == CHILD["name"] and early.caller.name == CALLER["name"]
    assert ahead_of_every_unflagged_contact(in_hours, reference)

    assert ASK_FAMILY_AWARE in reply
    # Shared without the family's knowledge: the reason (ISA "Consent"), then the advice.
    assert ASK_CONSENT_REASON in conv.say("no"), conv.transcript
    advice = conv.say("at_risk")  # significant harm skips the threshold questions
    assert ASK_HARM not in advice
    assert "Suggested level of need: Specialist" in advice
    assert IRT_PHONE in advice and FORM_URL in advice and DECISION_IS_THE_IRTS in advice
    assert f"recorded as contact {reference}" in advice
    assert before.new_references(in_hours) == [reference]  # completed, not duplicated
    final = contact(in_hours, reference)
    assert final.significant_harm is True and final.family_aware == "no"
    assert final.consent_reason and "greater risk" in final.consent_reason
    assert final.advice_given and IRT_PHONE in final.advice_given
    stats = before.new_statistics(in_hours)
    assert [(s.event, s.topic) for s in stats if s.event == "significant_harm"] == [
        ("significant_harm", "named_child")
    ]
    assert len(alerts_for(in_hours, reference)) == 1


def test_rule_7_yes_to_the_harm_question_after_a_mild_concern_is_the_harm_path_at_once(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    named_child(conv)
    assert ASK_FAMILY_AWARE in conv.say(MILD_CONCERN)
    assert ASK_HARM in conv.say("yes")
    reply = conv.say("yes")  # reasonable cause to suspect significant harm: the caller's "Yes"
    # The very next reply: the IRT now with its number, and the form.
    assert f"Initial Response Team (IRT) now on {IRT_PHONE}" in reply.texts[0]
    assert REASONABLE_CAUSE in reply.texts[0]
    assert FORM_URL in reply
    reference = reply.reference
    assert reference and before.new_references(in_hours) == [reference]
    flagged = contact(in_hours, reference)
    assert flagged.significant_harm is True
    assert ahead_of_every_unflagged_contact(in_hours, reference)  # first in the IRT's queue
    wait_for_alert(in_hours, reference)
    assert len(alerts_for(in_hours, reference)) == 1
    assert "Suggested level of need: Specialist" in reply


def test_rule_7_an_uncertain_signal_gives_the_urgent_routes_and_asks_no_flags_nothing(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    named_child(conv)
    reply = conv.say(UNCERTAIN_DISCLOSURE)
    # One reply: the urgent routes, then the confirming question with its two buttons.
    assert EMERGENCY in reply and IRT_PHONE in reply and FORM_URL in reply
    assert reply.texts[-1].startswith(ASK_CONFIRM_HARM)
    assert reply.payloads == [HARM_YES, HARM_NO]
    assert REASONABLE_CAUSE not in reply
    assert before.new_references(in_hours) == []
    reply = conv.say(HARM_NO)
    assert "Nothing has been flagged" in reply
    # The consultation goes on where it was: the concern was kept, so the next question.
    assert ASK_FAMILY_AWARE in reply
    advice = thresholds_after_family(conv)
    reference = advice.reference
    assert reference
    record = contact(in_hours, reference)
    assert record.significant_harm is False
    assert record.concern == UNCERTAIN_DISCLOSURE
    assert alerts_for(in_hours, reference) == []


def test_rule_7_yes_to_the_confirming_question_flags_records_and_alerts(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    named_child(conv)
    assert ASK_CONFIRM_HARM in conv.say(UNCERTAIN_DISCLOSURE)
    reply = conv.say(HARM_YES)
    assert REASONABLE_CAUSE in reply
    assert f"Initial Response Team (IRT) now on {IRT_PHONE}" in reply and FORM_URL in reply
    reference = reply.reference
    assert reference and before.new_references(in_hours) == [reference]
    assert contact(in_hours, reference).significant_harm is True
    assert ahead_of_every_unflagged_contact(in_hours, reference)
    wait_for_alert(in_hours, reference)
    assert ASK_FAMILY_AWARE in reply


def test_rule_7_immediate_danger_before_any_details_gets_999_first_in_the_very_next_reply(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    reply = confirmed(conv, conv.say(IMMEDIATE_DANGER))
    assert EMERGENCY in conv.replies[-2].texts[0] or EMERGENCY in reply.texts[0]
    assert "immediate danger" in conv.replies[-2].texts[0] or "immediate danger" in reply.texts[0]
    assert IRT_PHONE in reply and FORM_URL in reply
    # Named child or scenario is asked before anything is recorded.
    assert reply.texts[-1].startswith(ASK_KIND)
    assert before.new_references(in_hours) == []
    reply = conv.say("/named_child")
    reference = reply.reference
    assert reference, conv.transcript
    flagged = contact(in_hours, reference)
    assert flagged.significant_harm is True and flagged.immediate_danger is True

    # Then the details the record needs.
    assert reply.texts[-1].startswith(ASK_ROLE)
    consult(conv, greeting=None, expect=ASK_CHILD_NAME)
    reply = conv.say_all(
        [CHILD["name"], CHILD["dob"], CHILD["address"], CHILD["setting"], CHILD["carers"]]
    )
    assert ASK_FAMILY_AWARE in reply, conv.transcript
    assert ASK_CONSENT_REASON in conv.say("no"), conv.transcript
    advice = conv.say("police_inquiry")
    assert "Suggested level of need: Specialist" in advice
    assert "call 999 now, before anything else" in advice
    assert before.new_references(in_hours) == [reference]
    completed = contact(in_hours, reference)
    assert completed.immediate_danger is True
    assert completed.caller.name == CALLER["name"] and completed.child.name == CHILD["name"]
    assert completed.concern == IMMEDIATE_DANGER


def test_rule_7_a_harm_message_before_named_or_scenario_records_nothing_for_a_scenario(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    reply = conv.say(CERTAIN_DISCLOSURE)
    assert REASONABLE_CAUSE in reply and IRT_PHONE in reply
    assert reply.texts[-1].startswith(ASK_KIND)
    reply = conv.say("/scenario")
    assert "nothing you've told me is recorded" in reply
    assert f"now on {IRT_PHONE} and tell them who the child is" in reply
    assert before.new_references(in_hours) == []
    assert reply.texts[-1].startswith(ASK_ROLE)


@pytest.mark.parametrize(
    ("iso", "message", "immediate"),
    [
        ("2026-11-26T20:00:00+00:00", DISCLOSURE_BRUISE, False),
        ("2026-11-26T20:00:00+00:00", IMMEDIATE_DANGER, True),
        ("2026-11-28T12:00:00+00:00", CERTAIN_DISCLOSURE, False),
    ],
    ids=["weekday-20-00", "weekday-20-00-immediate-danger", "saturday-noon"],
)
def test_rule_7_a_disclosure_out_of_hours_goes_to_the_care_line_and_is_still_flagged(
    stack: Stack, conv: Conversation, iso: str, message: str, immediate: bool
) -> None:
    stack.set_clock(iso)
    before = Records.now(stack)
    reply = conv.say("hello")
    assert "is closed now" in reply
    assert "make sure the IRT knows" not in reply  # the IRT is not working now
    first = conv.say(message)
    if immediate:
        assert EMERGENCY in first.texts[0]
    reply = confirmed(conv, first)
    for answer in (first, reply):
        assert f"IRT) now on {IRT_PHONE}" not in answer
    assert f"{CARE_LINE} (out of hours) on {CARE_LINE_PHONE}" in first
    assert FORM_URL in first
    assert reply.texts[-1].startswith(ASK_KIND)
    reply = conv.say("/named_child")
    reference = reply.reference
    assert reference and before.new_references(stack) == [reference]
    record = contact(stack, reference)
    assert record.significant_harm is True and record.immediate_danger is immediate
    alert = wait_for_alert(stack, reference)
    assert f"The caller was told to call {'999 and ' if immediate else ''}{CARE_LINE}" in alert
    # The record's details are then asked for, although the line is closed.
    assert reply.texts[-1].startswith(ASK_ROLE)
    assert ASK_NAME in conv.say("/professional")


def test_rule_7_a_disclosure_at_09_30_in_the_gap_hours_goes_to_the_irt(
    stack: Stack, conv: Conversation
) -> None:
    stack.set_clock("2026-11-26T09:30:00+00:00")
    before = Records.now(stack)
    reply = conv.say("hello")
    assert "is closed now" in reply and IRT_PHONE in reply and CARE_LINE_PHONE not in reply
    reply = conv.say(CERTAIN_DISCLOSURE)
    assert f"Initial Response Team (IRT) now on {IRT_PHONE}" in reply
    assert CARE_LINE_PHONE not in reply and FORM_URL in reply
    reply = conv.say("/named_child")
    reference = reply.reference
    assert reference and before.new_references(stack) == [reference]
    assert contact(stack, reference).significant_harm is True


def test_rule_14_a_professional_answering_with_their_concern_is_never_turned_away(
    in_hours: Stack, conv: Conversation
) -> None:
    assert ASK_ROLE in conv.say("hello")
    concern = "Health visitor - mum has asked if there are any parenting courses near her"
    reply = conv.say(concern)
    assert "This line is for professionals" not in reply
    assert ASK_NAME in reply
    reply = conv.say_all(
        [CALLER["name"], CALLER["role"], CALLER["agency"], CALLER["address"], CALLER["phone"]]
    )
    assert ASK_KIND in reply
    conv.say("/named_child")
    duty_first(conv)
    reply = conv.say_all(
        [CHILD["name"], CHILD["dob"], CHILD["address"], CHILD["setting"], CHILD["carers"]]
    )
    assert ASK_OTHER_CHILDREN in reply, conv.transcript
    reply = conv.say("no")
    # The concern typed first is kept: it is not asked for again.
    assert ASK_FAMILY_AWARE in reply and "What is your concern?" not in reply


# --- Rule 8: DHCFT health staff ---------------------------------------------------------------


def test_rule_8_dhcft_health_staff_are_offered_the_health_advice_line_and_the_safeguarding_unit(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    conv.say("hello")
    reply = conv.say("/dhcft_health_staff")
    assert DHCFT_ADVICE_LINE in reply and "9am to 5pm" in reply
    assert f"{SAFEGUARDING_UNIT} ext {SAFEGUARDING_UNIT_EXT}" in reply
    assert "call back" in reply
    assert ASK_NAME in reply.texts[-1]  # and the consultation carries on
    assert before.new_events(in_hours)["dhcft_offered"] == 1


def test_rule_8_a_dhcft_health_visitors_opening_message_gets_the_advice_line_offer_once(
    in_hours: Stack, conv: Conversation
) -> None:
    reply = conv.say("Hi, I'm a health visitor with DHCFT")
    assert DHCFT_ADVICE_LINE in reply and SAFEGUARDING_UNIT in reply
    assert ASK_NAME in reply
    assert reply.text.count(DHCFT_ADVICE_LINE) == 1, reply


# --- Rule 9: adults ---------------------------------------------------------------------------


def test_rule_9_an_adult_concern_gets_the_s42_test_the_adults_team_and_the_think_family_question(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    reply = conv.say(ADULT_CONCERN)
    assert "Safeguarding Adults Team" in reply and "s.42" in reply
    assert "care and support needs" in reply
    assert "abuse or neglect" in reply and "can't protect themselves" in reply
    assert ADULTS_PHONE in reply and EMERGENCY in reply
    assert "Do any children live in the household" in reply.texts[-1]
    assert reply.payloads == ["/affirm", "/deny"]
    reply = conv.say("/deny")
    assert "Goodbye" in reply
    assert before.new_references(in_hours) == []


def test_rule_9_when_children_live_with_the_adult_the_childs_consultation_follows(
    in_hours: Stack, conv: Conversation
) -> None:
    conv.say(ADULT_CONCERN)
    reply = conv.say("/affirm")
    assert reply.texts[-1].startswith(ASK_ROLE), conv.transcript
    consult(conv, greeting=None)
    scenario(conv)
    assert ASK_HARM in conv.say("Two grandchildren live with her and she relies on them")


# --- Rule 10: domestic abuse ------------------------------------------------------------------


def test_rule_10_domestic_abuse_gets_the_notification_route_then_the_threshold_questions_follow(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    scenario(conv)
    reply = conv.say(DOMESTIC_ABUSE)
    assert "DASH risk grade" in reply, conv.transcript  # issue 16: the grade, if known
    reply = conv.say("Not known")
    assert "within 24 hours" in reply and "within 3 days" in reply and "within 7 days" in reply
    assert "DA Triage" in reply and "SDAT" in reply
    assert reply.texts[-1].startswith(ASK_HARM), conv.transcript  # the child's questions
    advice = thresholds(conv, "unsure", "several", "no", "not asked")
    # Not sure about harm with several needs: the level follows the needs (SPEC §2).
    assert "Suggested level of need: Intensive" in advice
    assert "talk it through with the IRT" in advice and "threshold discussion" in advice
    assert "Multi-Agency Strategy Meeting Manager" in advice
    assert DECISION_IS_THE_IRTS in advice
    assert before.new_references(in_hours) == []
    scenario_stats = [s for s in before.new_statistics(in_hours) if s.event == "scenario_advice"]
    assert [(s.topic, s.suggested_level) for s in scenario_stats] == [
        ("domestic_abuse", "Intensive")
    ]


# --- Rule 11: levels of need ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "level", "reason", "next_step"),
    [
        (
            ("no", "none", "yes", "yes"),
            "Universal",
            "You said the child is developing as expected.",
            "no referral is needed",
        ),
        (
            ("no", "a bit, in one area", "partly", "not asked yet"),
            "Emerging needs",
            "You said the child has some additional needs in one area.",
            "Start an Early Help Assessment",
        ),
        (
            ("no", "Several or complex needs", "No, it is not meeting them", "they refused"),
            "Intensive",
            "You said the child's needs are several or complex.",
            "Multi-Agency Team (MAT)",
        ),
        # (A "yes" to the harm question is the significant-harm path at once: rule 7's tests.)
        (
            ("no", "severe", "none", "no"),
            "Specialist",
            "You said the child has needs that only social care can meet.",
            "Online Referral Form",
        ),
    ],
    ids=["universal", "emerging-needs", "intensive", "specialist"],
)
def test_rule_11_the_advice_gives_a_suggested_level_with_reasons_and_says_the_decision_is_the_irts(
    in_hours: Stack,
    conv: Conversation,
    answers: tuple[str, str, str, str],
    level: str,
    reason: str,
    next_step: str,
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    scenario(conv)
    assert ASK_HARM in conv.say(MILD_CONCERN)
    advice = thresholds(conv, *answers)
    assert advice.texts[0].startswith(f"Suggested level of need: {level}.")
    assert any(t.startswith("Why: ") and reason in t for t in advice.texts), advice
    assert next_step in advice
    assert DECISION_IS_THE_IRTS in advice
    assert "suggested level only" in advice
    stats = [s for s in before.new_statistics(in_hours) if s.event == "scenario_advice"]
    assert [s.suggested_level for s in stats] == [level]


# --- Rule 13: members of the public -----------------------------------------------------------


@pytest.mark.parametrize(
    "opening",
    [("hello", "/member_of_public"), ("I'm a parent, worried about my neighbour's child",)],
    ids=["button", "typed"],
)
def test_rule_13_a_parent_is_told_the_line_is_for_professionals_and_given_the_public_routes(
    in_hours: Stack, conv: Conversation, opening: tuple[str, ...]
) -> None:
    before = Records.now(in_hours)
    reply = conv.say_all(opening)
    assert "This line is for professionals" in reply
    assert EMERGENCY in reply and IRT_PHONE in reply and FORM_URL in reply
    assert ASK_NAME not in reply
    assert before.new_references(in_hours) == []
    events = before.new_events(in_hours)
    assert events["public_redirected"] == 1
    assert "named_child_contact" not in events and "scenario_advice" not in events


# --- SPEC §3: at any point --------------------------------------------------------------------


def test_help_in_the_middle_of_the_consultation_explains_and_asks_the_same_question_again(
    in_hours: Stack, conv: Conversation
) -> None:
    conv.say_all(["hello", "/professional", CALLER["name"]])
    reply = conv.say("help")
    assert "start again" in reply and "speak to someone" in reply and "stop" in reply
    assert EMERGENCY in reply
    assert reply.texts[-1].startswith(ASK_ROLE_TITLE)
    assert ASK_AGENCY in conv.say(CALLER["role"])


def test_speak_to_someone_in_the_middle_of_the_consultation_gives_the_numbers_and_carries_on(
    in_hours: Stack, conv: Conversation
) -> None:
    conv.say_all(["hello", "/professional", CALLER["name"], CALLER["role"]])
    reply = conv.say("I want to speak to someone")
    assert LINE_PHONE in reply and IRT_PHONE in reply and EMERGENCY in reply
    assert reply.texts[-1].startswith(ASK_AGENCY)
    assert ASK_ADDRESS in conv.say(CALLER["agency"])


def test_stop_in_the_middle_of_a_named_child_consultation_ends_it_and_records_nothing(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    conv.say_all(["/named_child", "yes", "no", CHILD["name"]])
    reply = conv.say("stop")
    assert "I've stopped" in reply and "Goodbye" in reply and EMERGENCY in reply
    assert before.new_references(in_hours) == []
    # The conversation is over: the next message starts a new one from the beginning.
    reply = conv.say("hello")
    assert ASK_ROLE in reply
    assert ASK_NAME in conv.say("/professional")


def test_stop_after_a_disclosure_keeps_the_flagged_contact_for_the_irt(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    confirmed(conv, conv.say(DISCLOSURE_BRUISE))
    reference = conv.say("/named_child").reference
    assert reference
    reply = conv.say("stop")
    assert f"Contact {reference} is kept for the IRT" in reply
    assert before.new_references(in_hours) == [reference]
    assert contact(in_hours, reference).significant_harm is True


def test_start_again_in_the_middle_of_the_consultation_forgets_it_and_begins_afresh(
    in_hours: Stack, conv: Conversation
) -> None:
    consult(conv)
    reply = conv.say("start again")
    assert "cleared this conversation" in reply
    assert ASK_ROLE in conv.say("hello")
    # Nothing carried over: the caller's details are asked for again.
    assert ASK_NAME in conv.say("/professional")


def test_two_messages_not_understood_get_a_rephrase_request_then_the_human_routes(
    in_hours: Stack, conv: Conversation
) -> None:
    first = conv.say(NOT_UNDERSTOOD[0])
    assert "Could you say it another way?" in first
    assert HUMAN_ROUTES not in first
    second = conv.say(NOT_UNDERSTOOD[1])
    assert HUMAN_ROUTES in second
    assert LINE_PHONE in second and IRT_PHONE in second and EMERGENCY in second


def test_two_unclear_answers_to_a_choice_question_get_the_human_routes_then_the_question(
    in_hours: Stack, conv: Conversation
) -> None:
    conv.say("hello")
    first = conv.say(NOT_UNDERSTOOD[1])
    assert first.texts[0].startswith("Sorry") and IRT_PHONE not in first
    assert first.texts[-1].startswith(ASK_ROLE)
    second = conv.say("wibble frobnicate zorp")
    assert LINE_PHONE in second and IRT_PHONE in second and EMERGENCY in second
    assert second.texts[-1].startswith(ASK_ROLE)
    assert ASK_NAME in conv.say("/professional")


def test_the_feedback_answer_ends_the_conversation_and_a_new_message_starts_again(
    in_hours: Stack, conv: Conversation
) -> None:
    consult(conv)
    scenario(conv)
    conv.say(MILD_CONCERN)
    advice = thresholds(conv, "no", "none", "yes", "yes")
    assert advice.texts[-1] == "One last question: was this advice helpful?"
    reply = conv.say("/deny")
    assert "Thank you for your feedback" in reply and "Goodbye" in reply
    assert ASK_ROLE in conv.say("hello")
