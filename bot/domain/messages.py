"""What the assistant says that depends on the service's facts or the time.

Every number and link in a reply comes from the service file; nothing here holds one. Each
function returns short messages (SMS-sized: at most 480 characters each).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.facts import ServiceFacts
from bot.domain.hours import (
    LineStatus,
    describe_opening_hours,
    format_clock_time,
    line_status,
    next_opening,
)
from bot.domain.levels import DECISION_NOTE, Suggestion, next_step_text

MAX_MESSAGE_CHARS = 480


def _irt_hours(facts: ServiceFacts) -> str:
    return f"{format_clock_time(facts.irt.opens)} to {format_clock_time(facts.irt.closes)}"


def step_facts(facts: ServiceFacts) -> dict[str, str]:
    """The values `bot.domain.levels.next_step_text` fills its placeholders with."""
    return {
        "emergency_phone": facts.emergency.phone.number,
        "irt_phone": facts.irt.phone.number,
        "referral_form_url": facts.online_referral_form.url.value,
        "referral_followup_hours": str(facts.irt.telephone_referral_followup_hours),
    }


def _where_to_call_now(facts: ServiceFacts, at: datetime) -> str:
    """urgent_contact_now() as a clause that continues a sentence after a colon."""
    if line_status(at, facts) is LineStatus.CLOSED_OUT_OF_HOURS:
        return (
            f"the IRT is closed now, so call {facts.out_of_hours.name} (out of hours) on "
            f"{facts.out_of_hours.phone.number}."
        )
    return f"call the Initial Response Team (IRT) now on {facts.irt.phone.number}."


def urgent_contact_now(facts: ServiceFacts, at: datetime) -> str:
    """Where an urgent concern goes at this moment: the IRT in its hours, else the Care Line."""
    clause = _where_to_call_now(facts, at)
    return clause[0].upper() + clause[1:]


def urgent_routes(facts: ServiceFacts, at: datetime) -> str:
    """999, where to call now, and the Online Referral Form."""
    return (
        f"If a child is in immediate danger, call {facts.emergency.phone.number}. "
        f"For an urgent concern: {_where_to_call_now(facts, at)} "
        f"Then complete the Online Referral Form: {facts.online_referral_form.url.value}"
    )


def assistant_unavailable(facts: ServiceFacts, at: datetime) -> str:
    """The reply when the assistant cannot answer: never silence when a child may be at risk."""
    return "Sorry, the assistant can't answer right now. " + urgent_routes(facts, at)


def welcome(facts: ServiceFacts) -> str:
    return (
        f"Hello, this is {facts.council.name}'s {facts.council.service_name}. I'm an "
        "automated assistant, not a person. We give "
        "professionals advice on concerns about a child, including whether a concern meets "
        "the threshold for a referral. We're open now. This is not a referral service. "
        "Type 'help' at any time."
    )


def urgent_contact_name(facts: ServiceFacts, at: datetime) -> str:
    """Who takes an urgent concern at this moment, as a name (the IRT alert says it too)."""
    if line_status(at, facts) is LineStatus.CLOSED_OUT_OF_HOURS:
        return f"{facts.out_of_hours.name} (out of hours)"
    return "the Initial Response Team (IRT)"


def next_opening_words(facts: ServiceFacts, at: datetime) -> str:
    """When the line next opens: "today at 10am", "Monday 30 November at 10am"."""
    opens = next_opening(at, facts)
    day = "today" if opens.date() == at.astimezone(opens.tzinfo).date() else f"{opens:%A %-d %B}"
    return f"{day} at {format_clock_time(opens.time())}"


def line_now(facts: ServiceFacts, at: datetime) -> str:
    """Whether the line is open at `at`, for the chat page (the same rule as the replies)."""
    if line_status(at, facts) is LineStatus.OPEN:
        return (
            f"The {facts.council.service_name} is open now, until "
            f"{format_clock_time(facts.line.closes)} today."
        )
    return (
        f"The {facts.council.service_name} is closed now. It next opens "
        f"{next_opening_words(facts, at)}."
    )


def closed(facts: ServiceFacts, at: datetime) -> list[str]:
    """The closed message (SPEC rule 12): 999, where to go now, the form, the hours."""
    if line_status(at, facts) is LineStatus.CLOSED_OUT_OF_HOURS:
        # The IRT is not working now: only the Care Line can act on an urgent concern.
        offer = (
            "If you're worried a child is being harmed or is at risk of significant harm, call "
            f"{facts.out_of_hours.name} now. You can also tell me about it, and I'll record it "
            "for the IRT's next working day."
        )
    else:
        offer = (
            "If you're worried a child is being harmed or is at risk of significant harm, tell "
            "me now and I'll make sure the IRT knows."
        )
    return [
        f"The {facts.council.service_name} is closed now. We're open "
        f"{describe_opening_hours(facts)}; we next open {next_opening_words(facts, at)}.",
        urgent_routes(facts, at),
        offer,
    ]


def _danger_now(facts: ServiceFacts) -> str:
    return f"If the child is in immediate danger, call {facts.emergency.phone.number} now."


def harm_urgent_routes(facts: ServiceFacts, at: datetime, immediate_danger: bool) -> list[str]:
    """Rule 7 for a signal not yet confirmed: the urgent routes, no judgement. The confirming
    question follows in the same reply."""
    messages = [_danger_now(facts)] if immediate_danger else []
    messages.append(urgent_routes(facts, at))
    return messages


HARM_CONFIRM_QUESTION = (
    "Do you think the child may be suffering, or at risk of, significant harm? If you're not "
    "sure, the IRT can talk it through with you."
)
HARM_CONFIRM_YES = "Yes, I think the child may be at risk of significant harm"
HARM_CONFIRM_NO = "No, that's not it"


def harm_not_confirmed(facts: ServiceFacts, at: datetime, line_open: bool) -> list[str]:
    """The caller said it is not significant harm: nothing is flagged; carry on."""
    if line_open:
        return ["Thank you. Nothing has been flagged. Let's carry on."]
    return [
        "Thank you. Nothing has been flagged.",
        f"The {facts.council.service_name} is closed now, so I can't give a consultation. "
        f"We're open {describe_opening_hours(facts)}.",
    ]


def harm_handoff(facts: ServiceFacts, at: datetime, immediate_danger: bool) -> list[str]:
    """Rule 7 for a confirmed concern: the urgent routes first, whatever the hour; 999 first of
    all for danger now. Only a confirmed concern is told "reasonable cause"."""
    messages = [_danger_now(facts)] if immediate_danger else []
    # Not first, but not left out: a danger now can be read as significant harm only.
    reminder = (
        ""
        if immediate_danger
        else f" If the child could be in immediate danger, call {facts.emergency.phone.number}."
    )
    messages.append(
        "What you've told me gives reasonable cause to suspect a child is suffering, or is "
        f"likely to suffer, significant harm. {urgent_contact_now(facts, at)} They will take "
        "further information. Please don't wait for the family's consent." + reminder
    )
    messages.append(
        f"Then complete the Online Referral Form: {facts.online_referral_form.url.value} "
        f"(within {facts.irt.telephone_referral_followup_hours} hours of a phone referral)."
    )
    return messages


def harm_flagged(reference: str) -> str:
    return (
        f"I've flagged this for the IRT as contact {reference}. I'll now ask for the details "
        "the record needs."
    )


def harm_scenario_not_recorded(facts: ServiceFacts, at: datetime) -> str:
    """A scenario's confirmed concern is not recorded: the caller takes it to the urgent
    number themselves, with the child's details."""
    return (
        "As this is a scenario, nothing you've told me is recorded. If this is happening to a "
        f"real child, phone {urgent_contact_name(facts, at)} now on "
        f"{urgent_phone_now(facts, at)} and tell them who the child is."
    )


def harm_ask_kind() -> str:
    return (
        "Before I record anything, I need to know whether this is about a named child "
        "(recorded for the IRT) or a scenario (not recorded)."
    )


def urgent_phone_now(facts: ServiceFacts, at: datetime) -> str:
    if line_status(at, facts) is LineStatus.CLOSED_OUT_OF_HOURS:
        return facts.out_of_hours.phone.number
    return facts.irt.phone.number


def public_routes(facts: ServiceFacts, at: datetime) -> list[str]:
    """Rule 13: the line is for professionals; the public routes."""
    return [
        "This line is for professionals who work with children. If you're a parent, carer or "
        "member of the public worried about a child, please contact children's services "
        "directly.",
        urgent_routes(facts, at),
    ]


def dhcft_offer(facts: ServiceFacts) -> str:
    """Rule 8: the MASH Health Advisers' advice line for DHCFT health staff."""
    dhcft = facts.dhcft
    unit = dhcft.safeguarding_unit
    return (
        f"As {dhcft.name} health staff, you can also use the MASH Health Advisers' advice line "
        f"on {dhcft.advice_line.number}, Monday to Friday, "
        f"{format_clock_time(dhcft.advice_line_opens)} to "
        f"{format_clock_time(dhcft.advice_line_closes)}. If no one is available, call the "
        f"Safeguarding Unit on {unit.number} ext {unit.extension} for a call back. "
        "You can carry on here too."
    )


def adult_route(facts: ServiceFacts) -> list[str]:
    """Rule 9: the s.42 Care Act test and the Safeguarding Adults route."""
    return [
        "A concern about an adult is for the Safeguarding Adults Team. They act when an adult "
        "(1) has care and support needs, (2) is experiencing, or at risk of, abuse or neglect, "
        "and (3) because of those needs can't protect themselves (Care Act 2014, s.42).",
        f"Contact the {facts.adults.team} on {facts.adults.phone.number}. If the adult is in "
        f"immediate danger, call {facts.emergency.phone.number}.",
    ]


THINK_FAMILY_QUESTION = "Do any children live in the household, or spend time there?"


def domestic_abuse_route(facts: ServiceFacts) -> list[str]:
    """Rule 10: the notification route; the child's needs are still assessed."""
    da = facts.domestic_abuse
    return [
        "Domestic abuse reported to the police is risk-assessed with the DASH tool. High-risk "
        f"cases are notified within {da.high_risk_notified_within}; medium-risk within "
        f"{da.medium_risk_notified_within}, and they go to DA Triage; standard-risk cases are "
        f"reviewed within {da.standard_reviewed_within}.",
        "Whatever the risk level, a child who lives with domestic abuse may need support, so "
        "let's look at the child's needs too.",
    ]


def not_a_referral(facts: ServiceFacts, at: datetime) -> list[str]:
    """Rule 2: not a referral service, and it replaces none of the existing routes."""
    return [
        "This line is not a referral service. It doesn't replace the Initial Response Team, "
        "Named Nurse advice for health staff, or your school's Child Protection Manager.",
        f"To make a referral, complete the Online Referral Form: "
        f"{facts.online_referral_form.url.value}. For an urgent concern: "
        f"{_where_to_call_now(facts, at)} I can help you decide whether the threshold "
        "for a referral is met.",
    ]


def help_text(facts: ServiceFacts) -> str:
    return (
        f"I can help you decide whether a concern about a child meets the threshold for a "
        f"referral, and what to do next. I'll ask about you, then the child or scenario, then "
        "a few threshold questions. You can type 'start again', 'speak to someone' or 'stop' "
        f"at any time. If a child is in immediate danger, call {facts.emergency.phone.number}."
    )


def speak_to_someone(facts: ServiceFacts, at: datetime) -> list[str]:
    messages = []
    if line_status(at, facts) is LineStatus.OPEN:
        messages.append(
            f"You can call the {facts.council.service_name} on {facts.line.phone.number}, "
            f"{describe_opening_hours(facts)}."
        )
    messages.append(urgent_routes(facts, at))
    return messages


def hours_text(facts: ServiceFacts, at: datetime) -> str:
    state = "open" if line_status(at, facts) is LineStatus.OPEN else "closed"
    return (
        f"The {facts.council.service_name} is open {describe_opening_hours(facts)}. "
        f"It's {state} now. The IRT works {_irt_hours(facts)} on working days; at other times "
        f"urgent concerns go to {facts.out_of_hours.name} on {facts.out_of_hours.phone.number}."
    )


def privacy_text() -> str:
    return (
        "If you tell me about a named child, the consultation is recorded as a contact for the "
        "Initial Response Team, who may follow it up and enter it on the case record. If you "
        "choose a scenario, nothing you tell me is kept: only an anonymous count. Your own "
        "details are kept with a named-child contact."
    )


def scenario_became_named(found: tuple[str, ...]) -> str:
    what = " and ".join(found)
    return (
        f"You've given details that identify a child ({what}), so this is no longer an "
        "anonymous scenario: it will be recorded as a contact for the Initial Response Team. "
        "I'll ask for the child's details."
    )


def advice(facts: ServiceFacts, suggestion: Suggestion, at: datetime) -> list[str]:
    """Step 7: the suggested level, the reasons, what to do next, and who decides."""
    level = suggestion.level
    messages = [f"Suggested level of need: {level.value}. {suggestion.meaning}"]
    messages.append("Why: " + " ".join(suggestion.reasons))
    values = step_facts(facts)
    for step in suggestion.next_steps:
        if step == "irt_now" and line_status(at, facts) is LineStatus.CLOSED_OUT_OF_HOURS:
            # Outside the IRT's hours "now" means the out-of-hours service.
            messages.append(
                urgent_contact_now(facts, at)
                + " A concern about significant harm does not wait for the family's consent."
            )
        else:
            messages.append(next_step_text(step, values))
    messages.append(DECISION_NOTE)
    return messages


def closing(reference: str | None) -> list[str]:
    """Step 8: the reference (named child), an invitation back; the feedback question follows."""
    if reference:
        recorded = (
            f"Thank you. Your consultation is recorded as contact {reference}. Please quote it "
            "if you contact the IRT."
        )
    else:
        recorded = "Thank you. As this was a scenario, nothing you've told me has been kept."
    return [recorded + " Come back at any time if things change."]


FEEDBACK_QUESTION = "One last question: was this advice helpful?"


def rephrase() -> str:
    return "Sorry, I didn't understand that. Could you say it another way?"


def human_routes(facts: ServiceFacts, at: datetime) -> list[str]:
    """The second misunderstanding: never a guess about a child's safety."""
    return [
        "Sorry, I still didn't understand. You can speak to someone instead.",
        *speak_to_someone(facts, at),
    ]


def line_closed_reminder(facts: ServiceFacts, at: datetime) -> list[str]:
    return [
        f"Sorry, the {facts.council.service_name} is closed now, so I can't give a consultation.",
        urgent_routes(facts, at),
    ]


def goodbye(facts: ServiceFacts) -> str:
    return f"Goodbye. If a child is in immediate danger, call {facts.emergency.phone.number}."
