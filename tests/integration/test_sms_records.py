"""What the SMS channel keeps besides the answered turns (tests/integration/
test_answered_turns.py), on a real database (SQLite and PostgreSQL): the offered choices and
their purge."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.models import SmsConversation
from bot.adapters.db.sms import SmsRepository

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SENDER = "sms-" + "a" * 32


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def test_choices_are_remembered_replaced_and_forgotten(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        SmsRepository(session).set_choices(SENDER, ["/named_child", "/scenario"], NOON)
    with sessions() as session:
        assert SmsRepository(session).choices_for(SENDER, NOON) == ["/named_child", "/scenario"]
    with sessions.begin() as session:
        SmsRepository(session).set_choices(SENDER, ["yes", "no", "disagree"], NOON)
    with sessions() as session:
        assert SmsRepository(session).choices_for(SENDER, NOON) == ["yes", "no", "disagree"]
    with sessions.begin() as session:
        SmsRepository(session).set_choices(SENDER, [], NOON)
    with sessions() as session:
        assert SmsRepository(session).choices_for(SENDER, NOON) == []
        assert session.get(SmsConversation, SENDER) is None


def test_choices_offered_over_an_hour_ago_no_longer_count(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        SmsRepository(session).set_choices(SENDER, ["a", "b"], NOON)
    with sessions() as session:
        repository = SmsRepository(session)
        assert repository.choices_for(SENDER, NOON + timedelta(minutes=59)) == ["a", "b"]
        assert repository.choices_for(SENDER, NOON + timedelta(minutes=61)) == []


def test_choices_older_than_an_hour_are_purged(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        SmsRepository(session).set_choices(SENDER, ["a"], NOON - timedelta(minutes=61))
        SmsRepository(session).set_choices(SENDER[:-1] + "b", ["b"], NOON - timedelta(minutes=59))
    with sessions.begin() as session:
        assert SmsRepository(session).purge(NOON) == 1
    with sessions() as session:
        assert session.get(SmsConversation, SENDER) is None
        assert session.get(SmsConversation, SENDER[:-1] + "b") is not None
