"""The answered-turns store both channels share, on a real database (SQLite and PostgreSQL):
one claim per turn even when two deliveries race, the kept reply, releasing an unanswered
claim, taking over one left by a delivery that died (one winner when two try), and the purge.
The mechanism on top of it (bot.services.answered_turns) is in test_web_chat_turns.py."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db.answered_turns import (
    KEEP_FOR,
    AlreadyClaimed,
    AnsweredTurnRepository,
    TurnState,
)
from bot.adapters.db.database import make_engine, make_session_factory, make_turns_engine
from bot.adapters.db.models import AnsweredTurn
from bot.adapters.db.unit_of_work import SqlAlchemyTurnsUnitOfWork
from bot.services.answered_turns import AnsweredTurns, Throttle

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KEY = "a" * 64  # a bot.domain.privacy.turn_key is 64 hex characters


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def claim(sessions: sessionmaker[Session], key: str = KEY, at: datetime = NOON) -> bool:
    try:
        with sessions.begin() as session:
            AnsweredTurnRepository(session).claim(key, "web", at)
    except AlreadyClaimed:
        return False
    return True


def state(sessions: sessionmaker[Session], key: str = KEY) -> TurnState | None:
    with sessions() as session:
        return AnsweredTurnRepository(session).state(key)


def test_a_turn_is_claimed_once(sessions: sessionmaker[Session]) -> None:
    assert claim(sessions)
    assert not claim(sessions)
    assert claim(sessions, "b" * 64)
    assert state(sessions) == TurnState(received_at=NOON, reply=None)
    assert state(sessions, "c" * 64) is None


def test_two_racing_deliveries_make_one_claim(sessions: sessionmaker[Session]) -> None:
    start = Barrier(2)

    def race(_: int) -> bool:
        start.wait()
        return claim(sessions)

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(race, range(2))) == [False, True]


def test_the_reply_is_kept_for_repeats_and_the_first_one_wins(
    sessions: sessionmaker[Session],
) -> None:
    claim(sessions)
    with sessions() as session:
        assert AnsweredTurnRepository(session).reply_for(KEY) is None  # still being answered
    with sessions.begin() as session:
        AnsweredTurnRepository(session).save_reply(KEY, '{"messages": []}')
    with sessions.begin() as session:
        AnsweredTurnRepository(session).save_reply(KEY, "<Response/>")
    with sessions() as session:
        assert AnsweredTurnRepository(session).reply_for(KEY) == '{"messages": []}'
        row = session.get(AnsweredTurn, KEY)
        assert row is not None and row.channel == "web"


def test_releasing_an_unanswered_claim_lets_a_repeat_in(sessions: sessionmaker[Session]) -> None:
    claim(sessions)
    with sessions.begin() as session:
        AnsweredTurnRepository(session).release(KEY, NOON)
    assert state(sessions) is None
    assert claim(sessions)


def test_releasing_never_drops_an_answered_turn_or_another_deliverys_claim(
    sessions: sessionmaker[Session],
) -> None:
    claim(sessions)
    with sessions.begin() as session:
        AnsweredTurnRepository(session).save_reply(KEY, "<Response/>")
        AnsweredTurnRepository(session).release(KEY, NOON)
    assert not claim(sessions)
    claim(sessions, "b" * 64)
    with sessions.begin() as session:  # taken over since: the first delivery's release is late
        assert AnsweredTurnRepository(session).take_over(
            "b" * 64, NOON + timedelta(seconds=30), NOON + timedelta(seconds=1)
        )
        AnsweredTurnRepository(session).release("b" * 64, NOON)
    assert state(sessions, "b" * 64) == TurnState(NOON + timedelta(seconds=30), None)


def test_only_a_claim_older_than_the_patience_is_taken_over(
    sessions: sessionmaker[Session],
) -> None:
    claim(sessions)
    later = NOON + timedelta(seconds=5)
    with sessions.begin() as session:
        assert not AnsweredTurnRepository(session).take_over(KEY, later, NOON)
    with sessions.begin() as session:
        assert AnsweredTurnRepository(session).take_over(KEY, later, later)
    assert state(sessions) == TurnState(received_at=later, reply=None)
    with sessions.begin() as session:
        AnsweredTurnRepository(session).save_reply(KEY, "<Response/>")
    with sessions.begin() as session:  # an answered turn is never taken over
        assert not AnsweredTurnRepository(session).take_over(KEY, later, later + KEEP_FOR)


def test_two_deliveries_taking_over_at_once_make_one_winner(
    sessions: sessionmaker[Session],
) -> None:
    claim(sessions)
    start = Barrier(2)
    later = NOON + timedelta(seconds=30)

    def take_over(i: int) -> bool:
        start.wait()
        with sessions.begin() as session:
            return AnsweredTurnRepository(session).take_over(
                KEY, later + timedelta(microseconds=i), NOON + timedelta(seconds=10)
            )

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(take_over, range(2))) == [False, True]


def test_turns_older_than_a_repeat_needs_are_purged(sessions: sessionmaker[Session]) -> None:
    claim(sessions, "o" * 64, NOON - KEEP_FOR - timedelta(seconds=1))
    claim(sessions, "n" * 64, NOON - KEEP_FOR + timedelta(seconds=1))
    with sessions.begin() as session:
        AnsweredTurnRepository(session).save_reply("o" * 64, "<Response/>")
    with sessions.begin() as session:
        assert AnsweredTurnRepository(session).purge(NOON) == 1
    with sessions() as session:
        assert list(session.scalars(select(AnsweredTurn.turn_key))) == ["n" * 64]


def test_the_purge_runs_at_most_once_a_minute_per_process(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr("bot.services.answered_turns.time.monotonic", lambda: clock[0])
    throttle = Throttle(60)
    assert throttle.due()
    assert not throttle.due()
    clock[0] += 59
    assert not throttle.due()
    clock[0] += 1
    assert throttle.due()

    deletes: list[str] = []
    turns = AnsweredTurns(lambda: SqlAlchemyTurnsUnitOfWork(sessions))
    monkeypatch.setattr(
        AnsweredTurnRepository, "purge", lambda self, now: deletes.append("purge") or 0
    )
    for i in range(5):
        turns._claim(f"{i}" * 64, "sms", patience=5)  # one claim per delivery
    assert deletes == ["purge"]
    clock[0] += 60
    turns._claim("x" * 64, "sms", patience=5)
    assert deletes == ["purge", "purge"]


def test_only_the_turns_store_commits_without_waiting_for_the_disk(database_url: str) -> None:
    """SQLite: the answered turns and the SMS choices on their own connections with
    synchronous=NORMAL (1); the records' engine keeps FULL (2), so a contact is fsynced at its
    commit. Elsewhere the turns share the records' engine, unchanged."""
    records = make_engine(database_url)
    turns = make_turns_engine(database_url, records)
    try:
        if not database_url.startswith("sqlite"):
            assert turns is records
            return
        with records.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        with turns.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert claim(make_session_factory(turns))
        assert state(make_session_factory(records)) == TurnState(NOON, None)
    finally:
        turns.dispose()
        records.dispose()
