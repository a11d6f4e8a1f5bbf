"""The queries behind the queue and the statistics, on SQLite and PostgreSQL: filters, counts
by status, the queue's version and the times to a first decision."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.reports import StatisticsReports
from bot.adapters.db.statistics import StatisticsRepository
from bot.domain.clock import FixedClock
from bot.domain.contact import NewContact
from bot.domain.statistics import StatEntry, StatEvent

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def add(sessions: sessionmaker[Session], cipher: FieldCipher, **values: object) -> str:
    values.setdefault("channel", "web")
    values.setdefault("created_at", START)
    with sessions.begin() as session:
        return ContactRepository(session, cipher, timezone="Europe/London").create(
            NewContact(**values)
        )  # type: ignore[arg-type]


def test_the_queue_queries_filter_count_and_version(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    with sessions() as session:
        empty_version = ContactRepository(session, cipher, timezone="Europe/London").queue_version()
    web = add(sessions, cipher)
    sms = add(
        sessions, cipher, channel="sms", created_at=START + timedelta(days=1), significant_harm=True
    )
    with sessions.begin() as session:
        contacts = ContactRepository(
            session, cipher, FixedClock(START + timedelta(days=2)), timezone="Europe/London"
        )
        version = contacts.queue_version()
        assert version != empty_version
        assert [c.reference for c in contacts.list()] == [sms, web]
        assert [c.reference for c in contacts.list(channel="sms")] == [sms]
        assert [
            c.reference
            for c in contacts.list(statuses=["new"], created_before=START + timedelta(hours=1))
        ] == [web]
        assert [c.reference for c in contacts.list(created_from=START + timedelta(hours=1))] == [
            sms
        ]
        contacts.record_decision(web, by="jo", status="in_review", rationale="Looking")
        assert contacts.count_by_status()["in_review"] == 1
        assert contacts.count_by_status()["new"] == 1
        assert contacts.queue_version() != version
        assert contacts.first_decision_times(START, START + timedelta(days=7)) == [
            (START, START + timedelta(days=2)),
            (START + timedelta(days=1), None),
        ]


def test_the_statistics_report_counts_by_day_channel_level_and_decision(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    with sessions.begin() as session:
        stats = StatisticsRepository(session, timezone="Europe/London")
        for at, channel in [(START, "web"), (START, "sms"), (START + timedelta(days=1), "web")]:
            stats.add(StatEntry(StatEvent.CONVERSATION_STARTED, at, channel))
        stats.add(StatEntry(StatEvent.CLOSED_ATTEMPT, START.replace(hour=20), "web"))
        stats.add(StatEntry(StatEvent.SCENARIO_ADVICE, START, "web", None, "Universal"))
    add(sessions, cipher, significant_harm=True)
    with sessions() as session:
        contacts = ContactRepository(session, cipher, timezone="Europe/London")
        report = StatisticsReports(session, contacts, timezone="Europe/London").report(
            date(2026, 11, 2), date(2026, 11, 3)
        )
    assert report.conversations == 3 and report.closed_attempts == 1
    assert [(c.label, c.value) for c in report.conversations_by_day] == [
        ("Mon 2 Nov", 2),
        ("Tue 3 Nov", 1),
    ]
    assert [(c.label, c.value) for c in report.conversations_by_channel] == [
        ("Web chat", 2),
        ("SMS", 1),
    ]
    assert {c.label: c.value for c in report.by_suggested_level}["Universal"] == 1
    assert (report.contacts_recorded, report.significant_harm_contacts) == (1, 1)
    assert report.decision_times.awaiting == 1
