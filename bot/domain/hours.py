"""When the Professional Consultation Line is open, and where an urgent concern goes when it is not.

Every function takes the moment as an aware datetime and works in the service file's time
zone, so the answer is the same whatever zone the server runs in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

import holidays

if TYPE_CHECKING:
    from bot.domain.facts import ServiceFacts

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Far more than any real run of closed days; it only stops a loop if the facts allow no day.
_SEARCH_LIMIT_DAYS = 366 * 2


class LineStatus(StrEnum):
    OPEN = "open"
    # A working day outside the line's hours but inside the IRT's: urgent concerns go to the IRT.
    CLOSED_IRT_AVAILABLE = "closed_irt_available"
    # Evenings, nights, weekends and bank holidays: the out-of-hours service takes them.
    CLOSED_OUT_OF_HOURS = "closed_out_of_hours"


@lru_cache(maxsize=32)
def _bank_holidays(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    # A frozenset, not the holidays object itself: that object grows when asked about other
    # years, which is no thing to share through a cache.
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


def _local(at: datetime, facts: ServiceFacts) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("an aware datetime is needed; a naive one has no known time zone")
    return at.astimezone(facts.zone)


def _at_local_time(day: date, clock: time, facts: ServiceFacts) -> datetime:
    # The round trip through UTC settles a wall time that a clock change skips or repeats.
    naive = datetime.combine(day, clock)
    return naive.replace(tzinfo=facts.zone).astimezone(UTC).astimezone(facts.zone)


def is_bank_holiday(day: date, facts: ServiceFacts) -> bool:
    calendar = facts.line.bank_holidays
    return day in _bank_holidays(calendar.country, calendar.subdiv, day.year)


def is_working_day(day: date, facts: ServiceFacts) -> bool:
    return _WEEKDAYS[day.weekday()] in facts.line.weekdays and not is_bank_holiday(day, facts)


def is_line_open(at: datetime, facts: ServiceFacts) -> bool:
    local = _local(at, facts)
    return is_working_day(local.date(), facts) and (
        facts.line.opens <= local.time() < facts.line.closes
    )


def open_for_conversation(started_open: bool, at: datetime, facts: ServiceFacts) -> bool:
    """Whether a conversation is treated as open now (§5.10).

    A conversation begun while the line was open may finish after closing; one begun before
    opening that carries on after the line has opened is open from then on (it is never told
    "we next open today at 10:05").
    """
    return started_open or is_line_open(at, facts)


def line_status(at: datetime, facts: ServiceFacts) -> LineStatus:
    local = _local(at, facts)
    if is_line_open(local, facts):
        return LineStatus.OPEN
    if is_working_day(local.date(), facts) and facts.irt.opens <= local.time() < facts.irt.closes:
        return LineStatus.CLOSED_IRT_AVAILABLE
    return LineStatus.CLOSED_OUT_OF_HOURS


def next_opening(at: datetime, facts: ServiceFacts) -> datetime:
    """The first moment at or after `at` when the line is open (`at` itself if open now)."""
    local = _local(at, facts)
    if is_line_open(local, facts):
        return local
    day = local.date()
    if is_working_day(day, facts) and local.time() < facts.line.opens:
        return _at_local_time(day, facts.line.opens, facts)
    for _ in range(_SEARCH_LIMIT_DAYS):
        day += timedelta(days=1)
        if is_working_day(day, facts):
            return _at_local_time(day, facts.line.opens, facts)
    raise RuntimeError("the service facts allow no working day")


def add_working_days(start: date, n: int, facts: ServiceFacts) -> date:
    """The date `n` working days after `start`; `start` itself is not counted."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    remaining = n
    for _ in range(_SEARCH_LIMIT_DAYS * max(1, n)):
        if remaining == 0:
            return day
        day += timedelta(days=1)
        if is_working_day(day, facts):
            remaining -= 1
    raise RuntimeError("the service facts allow no working day")


def format_clock_time(clock: time) -> str:
    """GOV.UK style: 10am, 4:30pm, midday, midnight."""
    if clock == time(12, 0):
        return "midday"
    if clock == time(0, 0):
        return "midnight"
    hour = clock.hour % 12 or 12
    suffix = "am" if clock.hour < 12 else "pm"
    minutes = f":{clock.minute:02d}" if clock.minute else ""
    return f"{hour}{minutes}{suffix}"


def _describe_days(weekdays: tuple[str, ...]) -> str:
    indexes = sorted(_WEEKDAYS.index(day) for day in weekdays)
    names = [_DAY_NAMES[i] for i in indexes]
    if len(indexes) == 1:
        return names[0]
    if indexes == list(range(indexes[0], indexes[-1] + 1)) and len(indexes) > 2:
        return f"{names[0]} to {names[-1]}"
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def describe_opening_hours(facts: ServiceFacts) -> str:
    line = facts.line
    hours = f"{format_clock_time(line.opens)} to {format_clock_time(line.closes)}"
    return f"{hours}, {_describe_days(line.weekdays)} (closed on bank holidays)"


# --- the IRT's decision time: working days of the IRT's hours (§5.15) ---------------------------


def _irt_hours(day: date, facts: ServiceFacts) -> tuple[datetime, datetime]:
    return (
        _at_local_time(day, facts.irt.opens, facts),
        _at_local_time(day, facts.irt.closes, facts),
    )


def _decision_time(facts: ServiceFacts) -> timedelta:
    """The IRT's decision time as working time: `decision_working_days` days of its hours."""
    day = datetime.combine(date.min, facts.irt.closes) - datetime.combine(date.min, facts.irt.opens)
    return day * facts.irt.decision_working_days


def decision_due(received: datetime, facts: ServiceFacts) -> datetime:
    """When the IRT's decision on a contact received at `received` is due: once the IRT has
    worked a whole decision time (one working day: its hours, on working days) since then. A
    contact received out of hours starts at the next opening, so one received on Friday
    evening is due at Monday's close."""
    local = _local(received, facts)
    remaining = _decision_time(facts)
    day = local.date()
    for _ in range(_SEARCH_LIMIT_DAYS * max(1, facts.irt.decision_working_days)):
        if is_working_day(day, facts):
            opens, closes = _irt_hours(day, facts)
            start = max(local, opens)
            if start < closes:
                if closes - start >= remaining:
                    return start + remaining
                remaining -= closes - start
        day += timedelta(days=1)
    raise RuntimeError("the service facts allow no working day")


def decision_cutoff(now: datetime, facts: ServiceFacts) -> datetime:
    """The latest moment a contact can have been received and be past its decision time at
    `now`: `decision_due(received) <= now` exactly when `received <= decision_cutoff(now)`.
    Lets a database select the contacts waiting longer than the decision time."""
    local = _local(now, facts)
    remaining = _decision_time(facts)
    day = local.date()
    for _ in range(_SEARCH_LIMIT_DAYS * max(1, facts.irt.decision_working_days)):
        if is_working_day(day, facts):
            opens, closes = _irt_hours(day, facts)
            end = min(local, closes)
            if end > opens:
                if end - opens >= remaining:
                    return end - remaining
                remaining -= end - opens
        day -= timedelta(days=1)
    raise RuntimeError("the service facts allow no working day")
