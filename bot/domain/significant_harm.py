"""Rule 7 as one decision: what the significant-harm path does, whatever brought the caller to it.

Every way in (free text the classifier or the reviewed phrase list reads as harm, the caller's
"Yes" to the threshold question or to the confirming question, web chat or SMS, any hour, any
step) asks `plan_harm_response` what to do. It answers from the moment and what is known, with
no text and no I/O: the service (`bot.services.significant_harm`) turns the plan into replies,
a record and an alert.

- The urgent routes come first, always, naming where an urgent concern goes *now* (the IRT in
  its hours, the out-of-hours Care Line otherwise) and 999 first when the danger is now.
- A certain signal (the caller said "Yes"; a reviewed high-precision phrase) is confirmed at
  once. An uncertain one (the classifier's probability only, or a phrase that also matches
  ordinary questions) asks one confirming question, and nothing is flagged until "Yes".
- Only a confirmed concern is told "reasonable cause to suspect significant harm".
- A confirmed concern about a named child is recorded, flagged and alerted; a scenario's is not
  recorded (the caller is told to phone with the child's details) unless it identifies a child;
  when the caller has not yet said which, they are asked before anything is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

NAMED_CHILD = "named_child"
SCENARIO = "scenario"


class Certainty(StrEnum):
    # The caller's "Yes", or a reviewed phrase pattern measured as high-precision.
    CERTAIN = "certain"
    # The classifier's probability only, or a phrase that also matches ordinary questions.
    UNCERTAIN = "uncertain"


class UrgentContact(StrEnum):
    """Where an urgent concern goes at this moment (SPEC rule 12)."""

    IRT = "irt"  # a working day, 09:00-17:00: the IRT is working (the line may be closed)
    CARE_LINE = "care_line"  # evenings, nights, weekends and bank holidays


class Channel(StrEnum):
    WEB = "web"
    SMS = "sms"


@dataclass(frozen=True)
class HarmSituation:
    """What is known when a harm signal arrives."""

    certainty: Certainty
    immediate_danger: bool
    urgent_contact: UrgentContact
    channel: Channel
    # named_child, scenario, or None when the caller has not said yet.
    consultation_type: str | None
    # A scenario whose words identify a child (a name, a date of birth, "one of my pupils").
    identifies_child: bool = False
    # The conversation's concern was already confirmed ("reasonable cause" said once).
    already_confirmed: bool = False
    # The conversation's named-child contact is already flagged (and its alert sent).
    already_flagged: bool = False


@dataclass(frozen=True)
class HarmPlan:
    """What to do: the service renders it; nothing here is text."""

    urgent_contact: UrgentContact
    immediate_danger: bool
    # Ask "do you think the child may be at risk of significant harm?" (two buttons) and
    # flag nothing yet: the signal was uncertain.
    confirm_first: bool
    # "What you've told me gives reasonable cause to suspect significant harm": confirmed only.
    state_reasonable_cause: bool
    # Named child or scenario is not known: ask it next, before anything is recorded.
    ask_consultation_type: bool
    # Record (or update) the named child's contact, flagged, now.
    record: bool
    # Send the IRT duty phone its alert (once per contact: when it is first flagged).
    alert: bool
    # A scenario's confirmed concern: nothing recorded; phone the urgent number with the
    # child's details.
    scenario_not_recorded: bool
    # A scenario that identified a child becomes a recorded named-child contact.
    becomes_named: bool

    @property
    def confirmed(self) -> bool:
        return not self.confirm_first


def plan_harm_response(situation: HarmSituation) -> HarmPlan:
    """The significant-harm path's decision for one signal (SPEC §2 rule 7)."""
    confirmed = situation.already_confirmed or situation.certainty is Certainty.CERTAIN
    kind = situation.consultation_type
    becomes_named = confirmed and kind == SCENARIO and situation.identifies_child
    if becomes_named:
        kind = NAMED_CHILD
    record = confirmed and kind == NAMED_CHILD
    return HarmPlan(
        urgent_contact=situation.urgent_contact,
        immediate_danger=situation.immediate_danger,
        confirm_first=not confirmed,
        # Said once, when the concern is first confirmed; a later harm message in the same
        # conversation repeats the urgent routes, not the statement.
        state_reasonable_cause=confirmed and not situation.already_confirmed,
        ask_consultation_type=confirmed and kind is None,
        record=record,
        alert=record and not situation.already_flagged,
        scenario_not_recorded=confirmed and kind == SCENARIO,
        becomes_named=becomes_named,
    )
