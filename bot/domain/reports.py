"""The operational managers' numbers for a period, as the pages show them: the shapes, the
period's rule and the bands of the time to a first decision (the counting itself is
bot.adapters.db.reports's)."""

from __future__ import annotations

import statistics as pystats
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# The bands of the time to a first decision; the IRT decides within one working day (§5.15).
DECISION_BANDS: tuple[tuple[str, timedelta | None], ...] = (
    ("Under 1 hour", timedelta(hours=1)),
    ("1 to 4 hours", timedelta(hours=4)),
    ("4 to 24 hours", timedelta(hours=24)),
    ("1 to 3 days", timedelta(days=3)),
    ("Over 3 days", None),
)
AWAITING = "No decision yet"
NO_LEVEL = "No level given"
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Count:
    label: str
    value: int


@dataclass(frozen=True)
class DecisionTimes:
    bands: list[Count]  # the DECISION_BANDS, then AWAITING
    decided: int
    awaiting: int
    median_minutes: int | None
    longest_minutes: int | None


@dataclass(frozen=True)
class StatisticsReport:
    first_day: date
    last_day: date
    conversations: int
    conversations_by_day: list[Count]
    conversations_by_hour: list[Count]
    conversations_by_channel: list[Count]
    closed_attempts: int
    closed_attempts_by_day: list[Count]
    named_or_scenario: list[Count]
    by_suggested_level: list[Count]
    contacts_recorded: int
    significant_harm_contacts: int
    decision_times: DecisionTimes


class PeriodError(ValueError):
    pass


def check_period(first_day: date, last_day: date) -> None:
    if last_day < first_day:
        raise PeriodError("the end of the period is before its start")
    if (last_day - first_day).days >= MAX_PERIOD_DAYS:
        raise PeriodError(f"a period is at most {MAX_PERIOD_DAYS} days")


def decision_times(times: list[tuple[datetime, datetime | None]]) -> DecisionTimes:
    waits = [decided - created for created, decided in times if decided is not None]
    awaiting = sum(1 for _, decided in times if decided is None)
    counts = dict.fromkeys((label for label, _ in DECISION_BANDS), 0)
    for wait in waits:
        counts[_band(wait)] += 1
    minutes = [max(0, int(w.total_seconds() // 60)) for w in waits]
    return DecisionTimes(
        bands=[*(Count(label, n) for label, n in counts.items()), Count(AWAITING, awaiting)],
        decided=len(waits),
        awaiting=awaiting,
        median_minutes=int(pystats.median(minutes)) if minutes else None,
        longest_minutes=max(minutes) if minutes else None,
    )


def _band(wait: timedelta) -> str:
    for label, below in DECISION_BANDS:
        if below is None or wait < below:
            return label
    raise AssertionError("the last band has no upper limit")
