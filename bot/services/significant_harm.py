"""The significant-harm use case (SPEC §2 rule 7): one function for every way in.

`respond_to_harm` takes the signal and what is known, asks the domain's decision
(`bot.domain.significant_harm.plan_harm_response`) what to do, and carries it out through a
small port: the replies in order (urgent routes first), the named child's contact recorded and
flagged, the IRT alerted once with where the caller was truly sent, and the anonymous count.
The Rasa actions only read the tracker, call this, and turn the result into events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import messages
from bot.domain.facts import ServiceFacts
from bot.domain.hours import LineStatus, line_status
from bot.domain.irt_alert import irt_alert_text
from bot.domain.significant_harm import (
    NAMED_CHILD,
    Certainty,
    Channel,
    HarmPlan,
    HarmSituation,
    UrgentContact,
    plan_harm_response,
)


class HarmRecords(Protocol):
    """What the use case needs from the outside world."""

    def save_flagged_contact(self, alert_text: Callable[[str], str] | None) -> str:
        """Create (or complete) the named child's contact, flagged, and in the same transaction
        queue the SMS to the IRT duty phone worded by `alert_text(reference)` (None: no alert;
        none either while alerts are not configured); its reference. The alert is delivered
        after the commit, with retries, by the outbox's sender."""
        ...

    def count(self, topic: str) -> None:
        """The anonymous statistic of a confirmed significant-harm concern."""
        ...


@dataclass(frozen=True)
class HarmSignalIn:
    certainty: Certainty
    immediate_danger: bool
    channel: Channel
    consultation_type: str | None
    identifying_details: tuple[str, ...] = ()
    already_confirmed: bool = False
    already_flagged: bool = False
    reference: str | None = None  # the conversation's contact, if one exists
    # False when the caller only answered "named child or scenario?" after confirming: the
    # urgent routes they were given a moment ago are not repeated.
    new_signal: bool = True


@dataclass(frozen=True)
class HarmOutcome:
    plan: HarmPlan
    replies: tuple[str, ...]
    reference: str | None
    consultation_type: str | None


def urgent_contact_at(facts: ServiceFacts, at: datetime) -> UrgentContact:
    closed = line_status(at, facts) is LineStatus.CLOSED_OUT_OF_HOURS
    return UrgentContact.CARE_LINE if closed else UrgentContact.IRT


def respond_to_harm(
    signal: HarmSignalIn, *, facts: ServiceFacts, at: datetime, records: HarmRecords
) -> HarmOutcome:
    plan = plan_harm_response(
        HarmSituation(
            certainty=signal.certainty,
            immediate_danger=signal.immediate_danger,
            urgent_contact=urgent_contact_at(facts, at),
            channel=signal.channel,
            consultation_type=signal.consultation_type,
            identifies_child=bool(signal.identifying_details),
            already_confirmed=signal.already_confirmed,
            already_flagged=signal.already_flagged,
        )
    )
    if plan.confirm_first:
        # The confirming question is the form's next question, in this same reply.
        replies = messages.harm_urgent_routes(facts, at, plan.immediate_danger)
        return HarmOutcome(plan, tuple(replies), signal.reference, signal.consultation_type)

    if plan.state_reasonable_cause:
        replies = messages.harm_handoff(facts, at, plan.immediate_danger)
    elif signal.new_signal:
        replies = messages.harm_urgent_routes(facts, at, plan.immediate_danger)
    else:
        replies = []
    kind, reference = signal.consultation_type, signal.reference
    if plan.becomes_named:
        replies.append(messages.scenario_became_named(signal.identifying_details))
        kind = NAMED_CHILD
    if plan.scenario_not_recorded:
        replies.append(messages.harm_scenario_not_recorded(facts, at))
    if plan.ask_consultation_type:
        replies.append(messages.harm_ask_kind())
    if plan.record:

        def alert_text(flagged: str) -> str:
            return irt_alert_text(facts, flagged, plan.immediate_danger, at)

        reference = records.save_flagged_contact(alert_text if plan.alert else None)
        if plan.alert:
            replies.append(messages.harm_flagged(reference))
    if plan.state_reasonable_cause:
        records.count(kind or "not_yet_known")
    return HarmOutcome(plan, tuple(replies), reference, kind)
