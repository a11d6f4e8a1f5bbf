"""Issue 16 through the running stack: the questions a duty IRT manager asks first (a child
already open to Children's Social Care; a county child; other children in the household), each
giving the route the framework gives, with its numbers from the service file; domestic abuse;
disagreement; and the reason for sharing a named child without the family's consent (ISA)."""

from __future__ import annotations

import re

import pytest

from bot.adapters.service_file import load_facts
from tests.e2e.conftest import IN_HOURS
from tests.support.chat import WebChat
from tests.support.conversation import (
    ASK_CHILD_NAME,
    ASK_CITY,
    ASK_CONCERN,
    ASK_CONSENT_REASON,
    ASK_FAMILY_AWARE,
    ASK_FEEDBACK,
    ASK_HARM,
    ASK_OPEN_TO_CSC,
    ASK_OTHER_CHILDREN,
    CHILD,
    Conversation,
    Records,
    consult,
    contact,
    duty_first,
    named_child,
    past_confirmation,
    scenario,
    thresholds,
)
from tests.support.stack import Stack
from tests.support.staff import StaffSession, add_staff

pytestmark = pytest.mark.e2e

FACTS = load_facts()
MILD_CONCERN = "He has been late most mornings this term and often seems tired"
REASON_CITY = "I ask because a child who lives in Derbyshire"
REASON_OPEN = "I ask because then their allocated worker or Locality Team"
REASON_OTHERS = "I ask because we think family"


@pytest.fixture
def conv(chat: WebChat) -> Conversation:
    return Conversation(chat)


def test_a_child_already_open_to_social_care_goes_to_the_allocated_worker_with_urgent_routes(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    reply = conv.say("/named_child")
    assert ASK_CITY in reply and REASON_CITY in reply, conv.transcript
    assert reply.payloads == ["yes", "no", "not_known"]
    reply = conv.say("yes")
    assert ASK_OPEN_TO_CSC in reply and REASON_OPEN in reply, conv.transcript
    reply = conv.say("she already has a social worker")
    assert "allocated social worker" in reply and "Locality Team" in reply, conv.transcript
    # The urgent routes still, in case harm is suspected: the IRT now, and 999.
    assert FACTS.irt.phone.number in reply and FACTS.emergency.phone.number in reply
    assert ASK_CHILD_NAME not in reply and ASK_FEEDBACK in reply  # nothing more asked
    assert before.new_references(in_hours) == []  # the case is open: no contact here
    assert before.new_events(in_hours)["scenario_advice"] == 1


def test_a_county_child_is_given_derbyshires_front_door_and_nothing_is_recorded(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    assert ASK_CITY in conv.say("/named_child")
    reply = conv.say("No, they live in Derbyshire")
    county = FACTS.county_front_door
    assert county.name in reply and county.phone.number in reply, conv.transcript
    assert FACTS.emergency.phone.number in reply
    assert ASK_OPEN_TO_CSC not in reply and ASK_CHILD_NAME not in reply
    assert ASK_FEEDBACK in reply
    assert before.new_references(in_hours) == []
    assert "Thank you for your feedback" in conv.say("/affirm")


def test_a_household_with_siblings_gets_think_family_in_the_advice_and_on_the_record(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    assert ASK_CITY in conv.say("/named_child")
    assert ASK_CHILD_NAME in duty_first(conv)
    reply = conv.say_all(
        [CHILD["name"], CHILD["dob"], CHILD["address"], CHILD["setting"], CHILD["carers"]]
    )
    assert ASK_OTHER_CHILDREN in reply and REASON_OTHERS in reply, conv.transcript
    reply = conv.say("yes, two younger brothers")
    assert ASK_CONCERN in reply and "in the child's own words" in reply, conv.transcript
    assert ASK_FAMILY_AWARE in conv.say(MILD_CONCERN)
    assert ASK_HARM in conv.say("yes")
    # The family's "yes" answered the consent to early help: three threshold questions.
    advice = thresholds(conv, "no", "some", "partly", "yes")
    assert "do they agree to early help?" not in conv.transcript.split(ASK_HARM)[-1]
    assert "Think family" in advice, conv.transcript
    assert "Suggested level of need: Emerging needs" in advice
    reference = advice.reference
    assert reference and before.new_references(in_hours) == [reference]
    record = contact(in_hours, reference)
    assert record.threshold_answers["other_children"] == "yes"
    assert record.threshold_answers["consent"] == "yes"


def test_a_scenario_asks_the_same_first_questions_and_keeps_nothing(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    scenario(conv)
    assert ASK_HARM in conv.say("a year 3 child seems withdrawn after moving house")
    advice = thresholds(conv, "no", "some", "partly", "not asked")
    assert "Think family" not in advice
    assert ASK_CONSENT_REASON not in conv.transcript  # nothing is shared: never asked
    assert before.new_references(in_hours) == []


# --- sharing without consent: the reason, asked once and kept (part 3, ISA "Consent") ---------

REASON_PAYLOADS = ["at_risk", "police_inquiry", "consent_refused", "advice_first"]
OWN_WORDS = "Mum said she would move away with him if anyone got involved"


def test_a_named_child_shared_without_consent_is_asked_why_and_the_irt_sees_the_reason(
    in_hours: Stack, conv: Conversation
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    named_child(conv)
    assert ASK_FAMILY_AWARE in conv.say(MILD_CONCERN)
    reply = conv.say("They know but don't agree")
    assert reply.texts[-1].startswith(ASK_CONSENT_REASON), conv.transcript
    assert "information sharing agreement" in reply
    assert reply.payloads == REASON_PAYLOADS
    # The caller's own words. They read as a possible harm signal (recall first: the urgent
    # routes and the confirming question); answered "No", the threshold questions follow, the
    # reason kept and not asked again, the consent one already answered by "don't agree".
    reply = past_confirmation(conv, conv.say(OWN_WORDS))
    assert ASK_HARM in reply, conv.transcript
    advice = thresholds(conv, "no", "some", "partly", "no")
    assert conv.transcript.count(ASK_CONSENT_REASON) == 1
    assert "do they agree to early help?" not in conv.transcript.split(ASK_HARM)[-1]
    reference = advice.reference
    assert reference and before.new_references(in_hours) == [reference]
    record = contact(in_hours, reference)
    assert record.family_aware == "disagree"
    assert record.consent_reason == OWN_WORDS
    assert record.threshold_answers["consent"] == "no"

    # The IRT sees it: the contact page, the JSON API and the CSV export.
    username, password = add_staff(in_hours)
    with StaffSession(in_hours.api_url, username, password).sign_in().client() as staff:
        page = staff.get(f"/irt/contacts/{reference}")
        assert page.status_code == 200
        assert "Reason shared without consent" in page.text and "move away with him" in page.text
        record_json = staff.get(f"/irt/api/contacts/{reference}").json()
        assert record_json["consent_reason"] == OWN_WORDS
        export = staff.get("/irt/api/contacts.csv")
        assert export.status_code == 200
        assert "Reason shared without consent" in export.text and OWN_WORDS in export.text


def test_by_sms_the_family_not_knowing_brings_the_reason_question_as_numbered_choices(
    stack: Stack,
) -> None:
    from tests.support.sms import phone_for

    stack.set_clock(IN_HOURS)
    phone = phone_for(stack)
    try:
        for body in (
            "hello",
            "1",
            "Jo Bloggs",
            "class teacher",
            "Oakwood Primary",
            "office@oakwood.example.org",
            "01332 123456",
            "1",  # named child
            "1",  # lives in Derby city
            "2",  # not open to Children's Social Care
            "Amy Pond",
            "3/4/2017",
            "14 Park Road, Derby DE1 2AB",
            "Oakwood Primary",
            "mum",
            "2",  # no other children
        ):
            phone.send(body)
        assert ASK_FAMILY_AWARE in "\n".join(phone.send(MILD_CONCERN))
        reply = "\n".join(phone.send("2"))  # No, they don't know
        assert ASK_CONSENT_REASON in reply, reply
        assert "Reply 1 for Telling them could put the child at risk" in reply, reply
        assert "4 for Only to get advice before deciding" in reply, reply
        reply = "\n".join(phone.send("4"))
        assert ASK_HARM in reply, reply
        for body in ("2", "2", "2"):  # no harm suspected, some needs, support partly meeting
            reply = "\n".join(phone.send(body))
        found = re.search(r"PCL-\d{4}-\d{6}", reply)
        assert found, reply
    finally:
        phone.close()
    record = contact(stack, found.group(0))
    assert record.channel == "sms" and record.family_aware == "no"
    assert record.consent_reason and "advice before deciding" in record.consent_reason


# --- domestic abuse: each DASH grade's route, no child at risk now (part 4) -------------------

DOMESTIC_ABUSE = (
    "Police were called to a domestic abuse incident at the family home last night, "
    "the children were in the house"
)


@pytest.mark.parametrize(
    ("grade", "route"),
    [
        ("High risk", f"within {FACTS.domestic_abuse.high_risk_notified_within}"),
        ("Medium risk", f"within {FACTS.domestic_abuse.medium_risk_notified_within}"),
        ("Standard risk", f"within {FACTS.domestic_abuse.standard_reviewed_within}"),
    ],
)
def test_a_domestic_abuse_incident_gets_its_dash_grades_route_then_the_childs_questions(
    in_hours: Stack, conv: Conversation, grade: str, route: str
) -> None:
    before = Records.now(in_hours)
    consult(conv)
    scenario(conv)
    reply = conv.say(DOMESTIC_ABUSE)
    assert "DASH risk grade" in reply, conv.transcript
    assert reply.payloads == ["high", "medium", "standard", "not_known"]
    # The button's payload, as the web chat sends it (typed, "High risk" alone reads as a
    # possible harm signal, and the assistant rightly asks the confirming question first).
    reply = conv.say(grade.split(maxsplit=1)[0].lower())
    assert route in reply and "SDAT" in reply, conv.transcript
    if grade == "High risk":
        assert "strategy discussion" in reply and "IRT" in reply
    if grade == "Medium risk":
        assert "DA Triage" in reply
    # The threshold questions are still applied to the child.
    assert reply.texts[-1].startswith(ASK_HARM), conv.transcript
    advice = thresholds(conv, "no", "some", "partly", "not asked")
    assert "Suggested level of need: Emerging needs" in advice
    assert before.new_references(in_hours) == []
    stats = [s for s in before.new_statistics(in_hours) if s.event == "scenario_advice"]
    assert [s.topic for s in stats] == ["domestic_abuse"]


# --- a caller who disagrees with an IRT decision (part 5) -------------------------------------


def test_a_caller_disagreeing_with_a_decision_gets_the_escalation_route(
    in_hours: Stack, conv: Conversation
) -> None:
    reply = conv.say("The IRT said my referral doesn't meet threshold and I disagree")
    assert "Talk first to the IRT manager who made the decision" in reply, conv.transcript
    assert FACTS.irt.phone.number in reply
    assert FACTS.escalation.policy.value in reply
    assert "Escalation Policy" in reply
    assert FACTS.emergency.phone.number in reply  # never let it delay protecting a child


def test_a_disagreement_in_the_middle_of_a_consultation_is_answered_and_the_form_carries_on(
    in_hours: Stack, conv: Conversation
) -> None:
    consult(conv)
    reply = conv.say("how do I escalate a decision I disagree with")
    assert FACTS.escalation.policy.value in reply, conv.transcript
    assert "Is this about a named child, or a scenario?" in reply  # asked again


def test_by_sms_a_county_child_and_a_disagreement_get_their_routes(stack: Stack) -> None:
    from tests.support.sms import phone_for

    stack.set_clock(IN_HOURS)
    phone = phone_for(stack)
    try:
        assert "automated assistant" in "\n".join(phone.send("hello"))
        for body in ("1", "Jo Bloggs", "class teacher", "Oakwood Primary"):
            phone.send(body)
        phone.send("office@oakwood.example.org")
        assert "Named child" in "\n".join(phone.send("01332 123456"))
        reply = "\n".join(phone.send("1"))
        assert ASK_CITY in reply and "Reply 1 for" in reply, reply
        reply = "\n".join(phone.send("2"))  # No, in Derbyshire county
        county = FACTS.county_front_door
        assert county.name in reply and county.phone.number in reply, reply
        reply = "\n".join(phone.send("I disagree with the IRT's decision on a referral"))
        assert FACTS.escalation.policy.value in reply and FACTS.irt.phone.number in reply, reply
    finally:
        phone.close()
