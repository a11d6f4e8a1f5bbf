"""The queue's filters read from a query string (local days, BST included) and the statistics'
bar charts drawn to scale."""

from __future__ import annotations

from datetime import UTC, date, datetime

from api.charts import PLOT_WIDTH, bar_chart
from api.irt_filters import OPEN_STATUSES, ContactFilters
from bot.domain.reports import Count, decision_times


def test_the_default_filter_is_the_open_contacts() -> None:
    filters = ContactFilters.from_query({})
    assert filters.errors == {}
    assert filters.repository_arguments("Europe/London") == {"statuses": OPEN_STATUSES}
    assert filters.as_query() == "status=open"


def test_dates_are_whole_local_days_in_summer_time() -> None:
    filters = ContactFilters.from_query(
        {
            "status": "all",
            "channel": "sms",
            "significant_harm": "yes",
            "date_from": "2026-07-01",
            "date_to": "2026-07-02",
        }
    )
    arguments = filters.repository_arguments("Europe/London")
    assert arguments["created_from"] == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert arguments["created_before"] == datetime(2026, 7, 2, 23, 0, tzinfo=UTC)
    assert arguments["channel"] == "sms" and arguments["significant_harm"] is True
    assert "status" not in arguments and "statuses" not in arguments
    assert filters.audit_detail() == {
        "status": "all",
        "channel": "sms",
        "significant_harm": "yes",
        "date_from": "2026-07-01",
        "date_to": "2026-07-02",
    }


def test_values_the_filters_cannot_use_are_dropped_with_a_message() -> None:
    filters = ContactFilters.from_query(
        {
            "status": "deleted",
            "channel": "fax",
            "significant_harm": "maybe",
            "date_from": "2026-02-30",
            "date_to": "yesterday",
        }
    )
    assert set(filters.errors) == {"status", "channel", "significant_harm", "date_from", "date_to"}
    assert filters == ContactFilters()
    backwards = ContactFilters.from_query({"date_from": "2026-07-02", "date_to": "2026-07-01"})
    assert backwards.date_from == date(2026, 7, 2) and backwards.date_to is None
    assert "date_to" in backwards.errors


def test_a_bar_chart_scales_to_its_largest_count() -> None:
    chart = bar_chart("x", "Title", [Count("a", 4), Count("b", 1), Count("c", 0)])
    assert [bar.width for bar in chart.bars] == [PLOT_WIDTH, PLOT_WIDTH // 4, 0]
    assert chart.total == 5 and chart.description == "5 in all. The most: a, 4."
    assert [bar.y for bar in chart.bars] == sorted(bar.y for bar in chart.bars)
    empty = bar_chart("y", "Nothing", [Count("a", 0)])
    assert [bar.width for bar in empty.bars] == [0] and empty.description == "0 in all."


def test_decision_times_fall_into_bands_with_a_median() -> None:
    created = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    times = decision_times(
        [
            (created, created.replace(minute=59)),
            (created, created.replace(hour=14)),
            (created, created.replace(day=3)),
            (created, created.replace(day=9)),
            (created, None),
        ]
    )
    assert [(c.label, c.value) for c in times.bands] == [
        ("Under 1 hour", 1),
        ("1 to 4 hours", 0),
        ("4 to 24 hours", 1),
        ("1 to 3 days", 1),
        ("Over 3 days", 1),
        ("No decision yet", 1),
    ]
    assert (times.decided, times.awaiting) == (4, 1)
    assert times.median_minutes == (240 + 24 * 60) // 2
    assert times.longest_minutes == 7 * 24 * 60
