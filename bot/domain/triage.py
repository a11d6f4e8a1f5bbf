"""What the queue shows a manager to triage without opening every record: the child's first
name and age band, the first words of the concern, and how long the contact has waited against
the IRT's decision time (one working day, bot.domain.hours). The glimpse is decrypted for the
page only; the queue page is audited as a view of the queue (bot.services.contacts)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.contact import ContactSelection, ContactStatus, ContactSummary
from bot.domain.hours import decision_cutoff, decision_due

if TYPE_CHECKING:
    from bot.domain.facts import ServiceFacts

# Still waiting for the IRT's decision: nothing final has been decided.
AWAITING_DECISION = frozenset(
    {ContactStatus.NEW.value, ContactStatus.IN_REVIEW.value, ContactStatus.PASSED_TO_IRT.value}
)
CONCERN_WORDS = 12
CONCERN_CHARACTERS = 90
# The age bands of the Department for Education's children in need census.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (1, "Under 1"),
    (5, "1 to 4"),
    (10, "5 to 9"),
    (16, "10 to 15"),
)
OLDEST_BAND = "16 or over"
UNBORN = "Unborn"
NO_AGE = "Age not given"


@dataclass(frozen=True)
class Glimpse:
    """The few personal details the queue shows, decrypted from one contact."""

    child_first_name: str | None
    child_date_of_birth: date | None
    child_age_years: int | None
    child_unborn: bool
    concern_opening: str | None


@dataclass(frozen=True)
class QueueRow:
    summary: ContactSummary
    child_first_name: str | None
    age_band: str
    concern_opening: str | None
    due_by: datetime | None  # None once something final was decided
    overdue: bool


def first_name(name: str | None) -> str | None:
    words = (name or "").split()
    return words[0] if words else None


def first_words(text: str | None) -> str | None:
    """The concern's opening words (at most CONCERN_WORDS, CONCERN_CHARACTERS), with an
    ellipsis when there is more."""
    words = (text or "").split()
    if not words:
        return None
    opening = " ".join(words[:CONCERN_WORDS])
    if len(opening) > CONCERN_CHARACTERS:
        opening = opening[:CONCERN_CHARACTERS].rsplit(" ", 1)[0] or opening[:CONCERN_CHARACTERS]
    return opening if opening == " ".join(words) else opening + "…"


def age_in_years(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_band(glimpse: Glimpse, today: date) -> str:
    if glimpse.child_unborn:
        return UNBORN
    if glimpse.child_date_of_birth is not None:
        years: int | None = age_in_years(glimpse.child_date_of_birth, today)
    else:
        years = glimpse.child_age_years
    if years is None or years < 0:
        return NO_AGE
    return next((label for below, label in AGE_BANDS if years < below), OLDEST_BAND)


def queue_row(
    summary: ContactSummary, glimpse: Glimpse, now: datetime, facts: ServiceFacts
) -> QueueRow:
    waiting = summary.status in AWAITING_DECISION
    due = decision_due(summary.created_at, facts) if waiting else None
    return QueueRow(
        summary=summary,
        child_first_name=glimpse.child_first_name,
        age_band=age_band(glimpse, now.astimezone(facts.zone).date()),
        concern_opening=glimpse.concern_opening,
        due_by=due,
        overdue=due is not None and due <= now,
    )


def waiting_too_long(
    selection: ContactSelection, now: datetime, facts: ServiceFacts
) -> ContactSelection:
    """The selection narrowed to the contacts still waiting for a decision and past the
    decision time at `now` (the queue's "waiting longer than a day"); unchanged without
    `selection.overdue`."""
    if not selection.overdue:
        return selection
    if selection.status is not None:
        statuses = AWAITING_DECISION & {selection.status}
    else:
        statuses = AWAITING_DECISION & (selection.statuses or AWAITING_DECISION)
    # created_before is exclusive: a contact received at the cutoff itself is due at `now`.
    cutoff = decision_cutoff(now, facts) + timedelta(microseconds=1)
    if selection.created_before is not None:
        cutoff = min(cutoff, selection.created_before)
    return replace(
        selection, status=None, statuses=frozenset(statuses), created_before=cutoff, overdue=False
    )
