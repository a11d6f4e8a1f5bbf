"""Professional disagreement and escalation (framework §4.3.9 to §4.3.13; the Derby and Derbyshire
Safeguarding Children Partnership's "Resolving Multi Agency Professional Disagreements and
Escalation Policy"): what a caller who disagrees with an IRT decision does, in order.

No number or link lives here: they come from the service file."""

from __future__ import annotations

from datetime import datetime

from bot.domain.facts import ServiceFacts
from bot.domain.hours import LineStatus, line_status


def escalation_route(facts: ServiceFacts, at: datetime) -> list[str]:
    """The partnership's route for disagreeing with an IRT decision, child's safety first."""
    policy = facts.escalation.policy.value
    if line_status(at, facts) is LineStatus.CLOSED_OUT_OF_HOURS:
        urgent = (
            f"{facts.out_of_hours.name} (out of hours) on {facts.out_of_hours.phone.number} now"
        )
    else:
        urgent = f"the IRT on {facts.irt.phone.number} now"
    return [
        "If you disagree with a decision the Initial Response Team (IRT) has made, raise it "
        "quickly and directly: everyone's job is to resolve a difference of opinion at the "
        "earliest stage, keeping the child's safety and welfare paramount (framework §4.3.9).",
        f"1. Talk first to the IRT manager who made the decision, on {facts.irt.phone.number}: "
        "explain why you disagree and what you think should happen, and ask them to explain "
        "their reasons. Record the conversation and what was agreed.",
        "2. If it is not resolved, tell your own safeguarding lead or manager, who takes it to "
        "the IRT's Team Manager and then, if need be, to the Head of Service. Unresolved "
        "issues go to the partner agencies' senior managers and the MASH Strategic Board "
        "(§4.3.12).",
        "3. Follow the partnership's Resolving Multi Agency Professional Disagreements and "
        f"Escalation Policy: {policy}",
        "Never let a disagreement delay protecting a child: if you think a child is at risk of "
        f"significant harm, contact {urgent}, and if a child is in immediate danger call "
        f"{facts.emergency.phone.number}.",
    ]
