"""Opening hours (§5.10) in UK time, bank holidays, and where urgent concerns go when closed."""

from __future__ import annotations

import time as system_time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine

from bot.adapters.service_file import load_facts
from bot.domain.facts import ServiceFacts
from bot.domain.hours import (
    LineStatus,
    add_working_days,
    decision_cutoff,
    decision_due,
    describe_opening_hours,
    format_clock_time,
    is_line_open,
    is_working_day,
    line_status,
    next_opening,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

# Written out by hand from the GOV.UK list, so a change in the holidays package cannot pass
# unnoticed. Only weekdays matter to the line; substitute days are included.
ENGLAND_AND_WALES_BANK_HOLIDAYS = [
    date(2026, 1, 1),
    date(2026, 4, 3),  # Good Friday
    date(2026, 4, 6),  # Easter Monday (missing from the GB calendar without subdiv=ENG)
    date(2026, 5, 4),
    date(2026, 5, 25),
    date(2026, 8, 31),  # summer bank holiday (England and Wales only)
    date(2026, 12, 25),
    date(2026, 12, 28),  # Boxing Day falls on a Saturday: substitute Monday
    date(2027, 1, 1),
    date(2027, 3, 26),
    date(2027, 3, 29),
    date(2027, 5, 3),
    date(2027, 5, 31),
    date(2027, 8, 30),
    date(2027, 12, 27),  # Christmas Day falls on a Saturday: substitute Monday
    date(2027, 12, 28),  # Boxing Day falls on a Sunday: substitute Tuesday
]

A_TUESDAY = date(2026, 5, 12)
A_SATURDAY = date(2026, 5, 16)


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture(scope="module")
def facts() -> ServiceFacts:
    return load_facts()


# --- the line's hours ------------------------------------------------------------------------


def test_line_is_closed_at_0959_on_a_weekday(facts: ServiceFacts) -> None:
    assert not is_line_open(london(A_TUESDAY, 9, 59), facts)


def test_line_is_open_at_1000_on_a_weekday(facts: ServiceFacts) -> None:
    assert is_line_open(london(A_TUESDAY, 10, 0), facts)


def test_line_is_open_at_1559_on_a_weekday(facts: ServiceFacts) -> None:
    assert is_line_open(london(A_TUESDAY, 15, 59), facts)


def test_line_is_closed_at_1600_on_a_weekday(facts: ServiceFacts) -> None:
    assert not is_line_open(london(A_TUESDAY, 16, 0), facts)


def test_line_is_open_a_microsecond_before_1600(facts: ServiceFacts) -> None:
    assert is_line_open(london(A_TUESDAY, 16, 0) - timedelta(microseconds=1), facts)


@pytest.mark.parametrize("day", [A_SATURDAY, A_SATURDAY + timedelta(days=1)])
def test_line_is_closed_all_weekend(facts: ServiceFacts, day: date) -> None:
    assert not any(is_line_open(london(day, hour), facts) for hour in range(24))


def test_a_naive_datetime_is_refused_by_every_function(facts: ServiceFacts) -> None:
    naive = datetime(2026, 5, 12, 10, 0)
    for check in (is_line_open, line_status, next_opening):
        with pytest.raises(ValueError, match="aware"):
            check(naive, facts)


# --- the 2026 clock changes (both on Sundays) ------------------------------------------------


@pytest.mark.parametrize(
    ("utc_hour", "utc_minute", "is_open"),
    [(8, 59, False), (9, 0, True), (14, 59, True), (15, 0, False)],
)
def test_line_opens_at_1000_bst_on_the_monday_after_the_clocks_go_forward(
    facts: ServiceFacts, utc_hour: int, utc_minute: int, is_open: bool
) -> None:
    # Monday 30 March 2026 is BST (UTC+1): 10:00 local is 09:00 UTC.
    assert is_line_open(datetime(2026, 3, 30, utc_hour, utc_minute, tzinfo=UTC), facts) is is_open


@pytest.mark.parametrize(
    ("utc_hour", "utc_minute", "is_open"),
    [(9, 59, False), (10, 0, True), (15, 59, True), (16, 0, False)],
)
def test_line_opens_at_1000_gmt_on_the_friday_before_the_clocks_go_forward(
    facts: ServiceFacts, utc_hour: int, utc_minute: int, is_open: bool
) -> None:
    assert is_line_open(datetime(2026, 3, 27, utc_hour, utc_minute, tzinfo=UTC), facts) is is_open


@pytest.mark.parametrize(
    ("utc_hour", "utc_minute", "is_open"),
    [(8, 59, False), (9, 0, True), (14, 59, True), (15, 0, False)],
)
def test_line_opens_at_1000_bst_on_the_friday_before_the_clocks_go_back(
    facts: ServiceFacts, utc_hour: int, utc_minute: int, is_open: bool
) -> None:
    assert is_line_open(datetime(2026, 10, 23, utc_hour, utc_minute, tzinfo=UTC), facts) is is_open


@pytest.mark.parametrize(
    ("utc_hour", "utc_minute", "is_open"),
    [(9, 59, False), (10, 0, True), (15, 59, True), (16, 0, False)],
)
def test_line_opens_at_1000_gmt_on_the_monday_after_the_clocks_go_back(
    facts: ServiceFacts, utc_hour: int, utc_minute: int, is_open: bool
) -> None:
    assert is_line_open(datetime(2026, 10, 26, utc_hour, utc_minute, tzinfo=UTC), facts) is is_open


def test_next_opening_across_the_spring_clock_change_is_1000_bst(facts: ServiceFacts) -> None:
    opening = next_opening(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), facts)
    assert opening == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert (opening.hour, opening.minute, opening.utcoffset()) == (10, 0, timedelta(hours=1))


def test_next_opening_across_the_autumn_clock_change_is_1000_gmt(facts: ServiceFacts) -> None:
    opening = next_opening(datetime(2026, 10, 24, 12, 0, tzinfo=UTC), facts)
    assert opening == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)
    assert (opening.hour, opening.minute, opening.utcoffset()) == (10, 0, timedelta(0))


def test_the_repeated_hour_on_the_autumn_clock_change_is_out_of_hours(facts: ServiceFacts) -> None:
    for fold in (0, 1):
        at = datetime(2026, 10, 25, 1, 30, fold=fold, tzinfo=LONDON)
        assert line_status(at, facts) is LineStatus.CLOSED_OUT_OF_HOURS


# --- bank holidays ---------------------------------------------------------------------------


@pytest.mark.parametrize("holiday", ENGLAND_AND_WALES_BANK_HOLIDAYS, ids=str)
def test_line_is_closed_all_day_on_each_bank_holiday(facts: ServiceFacts, holiday: date) -> None:
    assert holiday.weekday() < 5, "the hand-written list holds only weekday closures"
    assert not is_working_day(holiday, facts)
    assert not is_line_open(london(holiday, 12), facts)
    assert line_status(london(holiday, 9, 30), facts) is LineStatus.CLOSED_OUT_OF_HOURS


@pytest.mark.parametrize("year", [2026, 2027])
def test_the_holidays_package_closes_no_other_weekday(facts: ServiceFacts, year: int) -> None:
    day, closed = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5 and not is_working_day(day, facts):
            closed.append(day)
        day += timedelta(days=1)
    assert closed == [d for d in ENGLAND_AND_WALES_BANK_HOLIDAYS if d.year == year]


def test_the_gb_calendar_without_a_subdivision_would_miss_easter_monday() -> None:
    # Why the service file names subdiv ENG: the plain GB calendar only has UK-wide days.
    assert date(2026, 4, 6) not in holidays.country_holidays("GB", years=2026)
    assert date(2026, 4, 6) in holidays.country_holidays("GB", subdiv="ENG", years=2026)


def test_the_days_either_side_of_easter_are_working_days(facts: ServiceFacts) -> None:
    assert is_working_day(date(2026, 4, 2), facts)
    assert is_working_day(date(2026, 4, 7), facts)


# --- a server outside the UK -----------------------------------------------------------------


def test_a_new_york_time_is_judged_in_uk_time(facts: ServiceFacts) -> None:
    # 12 May 2026: New York is UTC-4, London UTC+1, so 05:00 there is 10:00 here.
    assert not is_line_open(datetime(2026, 5, 12, 4, 59, tzinfo=NEW_YORK), facts)
    assert is_line_open(datetime(2026, 5, 12, 5, 0, tzinfo=NEW_YORK), facts)


def test_a_new_york_time_in_the_weeks_when_only_america_has_changed_clocks(
    facts: ServiceFacts,
) -> None:
    # Monday 16 March 2026: New York is on summer time (UTC-4), London still on GMT.
    assert not is_line_open(datetime(2026, 3, 16, 5, 59, tzinfo=NEW_YORK), facts)
    assert is_line_open(datetime(2026, 3, 16, 6, 0, tzinfo=NEW_YORK), facts)


def test_a_tokyo_time_is_judged_in_uk_time_even_across_midnight(facts: ServiceFacts) -> None:
    # Tokyo is UTC+9, London UTC+1 in May: Tokyo's Saturday morning is London's Friday afternoon.
    assert is_line_open(datetime(2026, 5, 12, 18, 0, tzinfo=TOKYO), facts)
    assert is_line_open(datetime(2026, 5, 15, 23, 30, tzinfo=TOKYO), facts)
    friday_1630 = datetime(2026, 5, 16, 0, 30, tzinfo=TOKYO)
    assert line_status(friday_1630, facts) is LineStatus.CLOSED_IRT_AVAILABLE
    sunday_0100 = datetime(2026, 5, 18, 9, 0, tzinfo=TOKYO)
    assert line_status(sunday_0100, facts) is LineStatus.CLOSED_OUT_OF_HOURS


def test_next_opening_is_given_in_uk_time_whatever_zone_it_was_asked_in(
    facts: ServiceFacts,
) -> None:
    # 02:00 Wednesday in Tokyo is 18:00 Tuesday in London.
    opening = next_opening(datetime(2026, 5, 13, 2, 0, tzinfo=TOKYO), facts)
    assert opening.tzinfo == LONDON
    assert opening == london(date(2026, 5, 13), 10)
    assert (opening.hour, opening.minute) == (10, 0)


@pytest.fixture(params=["Asia/Tokyo", "America/New_York"])
def server_time_zone(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    system_time.tzset()
    yield request.param
    monkeypatch.undo()
    system_time.tzset()


def test_the_server_time_zone_does_not_change_the_answer(
    facts: ServiceFacts, server_time_zone: str
) -> None:
    # 09:00 UTC on 12 May 2026 is 10:00 in London, whatever the machine's own zone says.
    with time_machine.travel(datetime(2026, 5, 12, 9, 0, tzinfo=UTC), tick=False):
        local_now = datetime.now().astimezone()
        assert local_now.tzname() != "BST"
        assert is_line_open(local_now, facts)
        assert is_line_open(datetime.now(UTC), facts)
        assert next_opening(local_now, facts) == london(A_TUESDAY, 10)
    with time_machine.travel(datetime(2026, 5, 12, 8, 59, tzinfo=UTC), tick=False):
        assert not is_line_open(datetime.now().astimezone(), facts)


# --- where an urgent concern goes when the line is closed ------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "status"),
    [
        (8, 59, LineStatus.CLOSED_OUT_OF_HOURS),
        (9, 0, LineStatus.CLOSED_IRT_AVAILABLE),
        (9, 30, LineStatus.CLOSED_IRT_AVAILABLE),
        (10, 0, LineStatus.OPEN),
        (15, 59, LineStatus.OPEN),
        (16, 0, LineStatus.CLOSED_IRT_AVAILABLE),
        (16, 30, LineStatus.CLOSED_IRT_AVAILABLE),
        (17, 0, LineStatus.CLOSED_OUT_OF_HOURS),
        (20, 0, LineStatus.CLOSED_OUT_OF_HOURS),
        (2, 0, LineStatus.CLOSED_OUT_OF_HOURS),
    ],
)
def test_status_through_a_working_day(
    facts: ServiceFacts, hour: int, minute: int, status: LineStatus
) -> None:
    assert line_status(london(A_TUESDAY, hour, minute), facts) is status


def test_saturday_noon_is_out_of_hours(facts: ServiceFacts) -> None:
    assert line_status(london(A_SATURDAY, 12), facts) is LineStatus.CLOSED_OUT_OF_HOURS


def test_a_bank_holiday_morning_in_irt_hours_is_still_out_of_hours(facts: ServiceFacts) -> None:
    assert line_status(london(date(2026, 8, 31), 9, 30), facts) is LineStatus.CLOSED_OUT_OF_HOURS


# --- when the line next opens ----------------------------------------------------------------


def test_next_opening_before_ten_on_a_working_day_is_that_morning(facts: ServiceFacts) -> None:
    assert next_opening(london(A_TUESDAY, 8), facts) == london(A_TUESDAY, 10)


def test_next_opening_while_open_is_now(facts: ServiceFacts) -> None:
    now = london(A_TUESDAY, 11, 15)
    assert next_opening(now, facts) == now


def test_next_opening_after_friday_closing_is_monday_at_ten(facts: ServiceFacts) -> None:
    assert next_opening(london(date(2026, 5, 15), 16), facts) == london(date(2026, 5, 18), 10)


def test_next_opening_over_easter_is_the_tuesday(facts: ServiceFacts) -> None:
    assert next_opening(london(date(2026, 4, 2), 17), facts) == london(date(2026, 4, 7), 10)


def test_next_opening_over_christmas_2026_skips_the_substitute_day(facts: ServiceFacts) -> None:
    assert next_opening(london(date(2026, 12, 24), 16, 30), facts) == london(date(2026, 12, 29), 10)


def test_next_opening_over_new_year_2027(facts: ServiceFacts) -> None:
    assert next_opening(london(date(2026, 12, 31), 18), facts) == london(date(2027, 1, 4), 10)


# --- working-day arithmetic ------------------------------------------------------------------


def test_one_working_day_after_the_thursday_before_easter_is_the_tuesday(
    facts: ServiceFacts,
) -> None:
    assert add_working_days(date(2026, 4, 2), 1, facts) == date(2026, 4, 7)


def test_one_working_day_after_a_friday_is_the_monday(facts: ServiceFacts) -> None:
    assert add_working_days(date(2026, 5, 15), 1, facts) == date(2026, 5, 18)


def test_two_working_days_after_23_december_2026_is_29_december(facts: ServiceFacts) -> None:
    assert add_working_days(date(2026, 12, 23), 2, facts) == date(2026, 12, 29)


def test_zero_working_days_is_the_same_day(facts: ServiceFacts) -> None:
    assert add_working_days(A_SATURDAY, 0, facts) == A_SATURDAY


def test_a_negative_number_of_working_days_is_refused(facts: ServiceFacts) -> None:
    with pytest.raises(ValueError):
        add_working_days(A_TUESDAY, -1, facts)


# --- wording ---------------------------------------------------------------------------------


def test_opening_hours_are_described_in_plain_english(facts: ServiceFacts) -> None:
    assert (
        describe_opening_hours(facts) == "10am to 4pm, Monday to Friday (closed on bank holidays)"
    )


@pytest.mark.parametrize(
    ("hour", "minute", "text"),
    [(9, 0, "9am"), (9, 30, "9:30am"), (12, 0, "midday"), (17, 0, "5pm"), (0, 0, "midnight")],
)
def test_clock_times_are_written_in_gov_uk_style(hour: int, minute: int, text: str) -> None:
    assert format_clock_time(datetime(2026, 1, 1, hour, minute).time()) == text


def test_a_conversation_is_open_if_it_began_open_or_the_line_has_opened_since() -> None:
    from bot.domain.hours import open_for_conversation

    facts = load_facts()
    before = datetime(2026, 11, 26, 9, 58, tzinfo=UTC)
    after_opening = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)
    after_closing = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)
    assert not open_for_conversation(False, before, facts)
    assert open_for_conversation(False, after_opening, facts)  # never "we next open at 10:05"
    assert open_for_conversation(True, after_closing, facts)  # began open, may finish late
    assert not open_for_conversation(False, after_closing, facts)


# --- the IRT's decision time (one working day of its hours, 09:00-17:00) ----------------------


def test_a_contact_is_due_one_working_day_of_the_irts_hours_after_it_arrived(
    facts: ServiceFacts,
) -> None:
    def due(local: datetime) -> datetime:
        return decision_due(local.replace(tzinfo=LONDON), facts).astimezone(LONDON)

    # Tuesday 1 December 2026, 11:30: Wednesday at 11:30.
    assert due(datetime(2026, 12, 1, 11, 30)) == datetime(2026, 12, 2, 11, 30, tzinfo=LONDON)
    # Before the IRT opens: the day's opening starts the clock, so the same day's close.
    assert due(datetime(2026, 12, 1, 7, 0)) == datetime(2026, 12, 1, 17, 0, tzinfo=LONDON)
    # Friday evening: Monday's close.
    assert due(datetime(2026, 12, 4, 19, 0)) == datetime(2026, 12, 7, 17, 0, tzinfo=LONDON)
    # Thursday 24 December, 15:00: Christmas and Boxing Day (and its substitute, Monday 28)
    # are not working days, so Tuesday 29 December at 15:00.
    assert due(datetime(2026, 12, 24, 15, 0)) == datetime(2026, 12, 29, 15, 0, tzinfo=LONDON)


def test_the_cutoff_selects_exactly_the_contacts_past_their_decision_time(
    facts: ServiceFacts,
) -> None:
    """decision_due(received) <= now exactly when received <= decision_cutoff(now), for
    moments every 40 minutes through a fortnight with a weekend, a bank holiday and the
    clocks going back (so a database can select the overdue ones with one comparison)."""
    start = datetime(2026, 10, 19, 0, 0, tzinfo=UTC)  # the clocks go back on 25 October
    moments = [start + timedelta(minutes=40 * n) for n in range(24 * 14 * 3 // 2)]
    dues = [decision_due(m, facts) for m in moments]
    for now in [*moments[::7], datetime(2026, 12, 29, 9, 0, tzinfo=UTC)]:
        cutoff = decision_cutoff(now, facts)
        for received, due in zip(moments, dues, strict=True):
            assert (due <= now) == (received <= cutoff), (received, now, cutoff)
