"""The statistics page and API count what the database holds: conversations by day, hour and
channel, out-of-hours attempts, named against scenario, levels of need, and the time from a
contact to its first decision. Each number here is set up by hand and checked on both."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.statistics import StatisticsRepository
from bot.domain.clock import FixedClock
from bot.domain.statistics import StatEntry, StatEvent
from tests.support.irt import IrtApp, irt_app
from tests.support.pages import check_page

# Thursday 26 November 2026, in GMT (UTC = London time).
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with time_machine.travel(NOW, tick=False), irt_app(tmp_path) as app:
        app.add_user("manager")
        yield app


def stat(
    irt: IrtApp, event: StatEvent, at: datetime, channel: str = "web", level: str | None = None
) -> None:
    with irt.sessions.begin() as session:
        StatisticsRepository(session, timezone="Europe/London").add(
            StatEntry(event, at, channel, None, level)
        )


def seed(irt: IrtApp) -> dict[str, str]:
    day = datetime(2026, 11, 24, tzinfo=UTC)  # Tuesday
    for hour, channel in [(10, "web"), (10, "sms"), (11, "web"), (20, "web")]:
        stat(irt, StatEvent.CONVERSATION_STARTED, day.replace(hour=hour), channel)
    stat(irt, StatEvent.CLOSED_ATTEMPT, day.replace(hour=20))
    stat(irt, StatEvent.CONVERSATION_STARTED, NOW - timedelta(hours=1), "sms")
    stat(irt, StatEvent.NAMED_CHILD_CONTACT, day.replace(hour=10), level="Specialist")
    stat(irt, StatEvent.SCENARIO_ADVICE, day.replace(hour=11), level="Emerging needs")
    stat(irt, StatEvent.SCENARIO_ADVICE, day.replace(hour=12), level="Emerging needs")
    # Outside the period: 40 days ago.
    stat(irt, StatEvent.CONVERSATION_STARTED, NOW - timedelta(days=40))
    stat(irt, StatEvent.CLOSED_ATTEMPT, NOW - timedelta(days=40))

    quick = irt.add_contact(created_at=day.replace(hour=10), significant_harm=True)
    slow = irt.add_contact(created_at=day.replace(hour=11))
    irt.add_contact(created_at=day.replace(hour=12))  # awaiting a decision
    decisions = [
        (quick, day.replace(hour=10, minute=30), "in_review"),
        (slow, day.replace(hour=10) + timedelta(hours=30), "in_review"),
        # A later decision does not change the time to the first.
        (quick, day.replace(hour=20), "no_further_action"),
    ]
    for reference, at, status in decisions:
        with irt.sessions.begin() as session:
            ContactRepository(
                session, irt.cipher, FixedClock(at), timezone="Europe/London"
            ).record_decision(reference, by="manager", status=status, rationale="Reviewing")
    return {"quick": quick, "slow": slow}


def counts(items: list[dict]) -> dict[str, int]:
    return {item["label"]: item["value"] for item in items if item["value"]}


def test_the_statistics_api_counts_what_the_database_holds(irt: IrtApp) -> None:
    seed(irt)
    client, _ = irt.api_client("manager")
    stats = client.get("/irt/api/stats").json()
    assert stats["first_day"] == "2026-10-28" and stats["last_day"] == "2026-11-26"
    assert stats["conversations"] == 5
    assert counts(stats["conversations_by_day"]) == {"Tue 24 Nov": 4, "Thu 26 Nov": 1}
    assert counts(stats["conversations_by_channel"]) == {"Web chat": 3, "SMS": 2}
    assert counts(stats["conversations_by_hour"]) == {
        "10:00": 2,
        "11:00": 1,
        "14:00": 1,
        "20:00": 1,
    }
    assert stats["closed_attempts"] == 1
    assert counts(stats["closed_attempts_by_day"]) == {"Tue 24 Nov": 1}
    assert counts(stats["named_or_scenario"]) == {"Named child": 1, "Scenario": 2}
    assert counts(stats["by_suggested_level"]) == {"Specialist": 1, "Emerging needs": 2}
    assert stats["contacts_recorded"] == 3 and stats["significant_harm_contacts"] == 1
    times = stats["decision_times"]
    assert counts(times["bands"]) == {"Under 1 hour": 1, "1 to 3 days": 1, "No decision yet": 1}
    assert (times["decided"], times["awaiting"]) == (2, 1)
    # Created 10:00 + decided 10:30 = 30 minutes; created 11:00, decided 16:00 next day = 29 h.
    assert times["median_minutes"] == (30 + 29 * 60) // 2
    assert times["longest_minutes"] == 29 * 60

    narrow = client.get("/irt/api/stats", params={"from": "2026-11-26", "to": "2026-11-26"})
    assert narrow.json()["conversations"] == 1 and narrow.json()["contacts_recorded"] == 0
    assert (
        client.get("/irt/api/stats", params={"from": "2026-11-26", "to": "2026-11-01"}).status_code
        == 422
    )
    assert client.get("/irt/api/stats", params={"from": "2020-01-01"}).status_code == 422


def table(html: str, chart: str) -> dict[str, str]:
    found = re.search(rf'id="table-{chart}".*?</table>', html, re.S)
    assert found, chart
    rows = re.findall(
        r'<th scope="row"[^>]*>\s*([^<]+?)\s*</th>\s*<td[^>]*>\s*(\d+)\s*</td>', found.group(0)
    )
    return {label: value for label, value in rows if value != "0"}


def test_the_statistics_page_shows_the_same_numbers_in_charts_and_tables(irt: IrtApp) -> None:
    seed(irt)
    client, _ = irt.page_client("manager")
    before = irt.last_audit_id()
    response = client.get("/irt/stats")
    assert check_page(response.text, response.headers) == "Statistics"
    html = response.text
    assert table(html, "by-day") == {"Tue 24 Nov": "4", "Thu 26 Nov": "1", "Total": "5"}
    assert table(html, "by-channel") == {"Web chat": "3", "SMS": "2", "Total": "5"}
    assert table(html, "named-scenario") == {"Named child": "1", "Scenario": "2", "Total": "3"}
    assert table(html, "by-level") == {"Specialist": "1", "Emerging needs": "2", "Total": "3"}
    assert table(html, "closed") == {"Tue 24 Nov": "1", "Total": "1"}
    assert table(html, "decision-times") == {
        "Under 1 hour": "1",
        "1 to 3 days": "1",
        "No decision yet": "1",
        "Total": "3",
    }
    assert html.count('<svg class="pcl-chart" role="img"') == 7
    # The bars are drawn to scale: the busiest day's bar is the widest.
    widths = re.findall(
        r'<rect x="150" y="\d+" width="(\d+)"',
        html.split('id="chart-by-day"')[1].split("</svg>")[0],
    )
    assert max(map(int, widths)) == 420 and sorted(set(map(int, widths))) == [0, 105, 420]
    assert irt.audit(before) == []  # anonymous counts: not a read of any contact


def test_a_period_the_page_cannot_use_falls_back_with_a_message(irt: IrtApp) -> None:
    client, _ = irt.page_client("manager")
    response = client.get("/irt/stats?from=2026-12-01&to=2026-11-01")
    check_page(response.text, response.headers)
    assert "There is a problem with the period" in response.text
    assert "From 28 October 2026 to 26 November 2026" in response.text
