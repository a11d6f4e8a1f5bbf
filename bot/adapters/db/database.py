"""The one place an engine is built: called at start-up, never at import time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(database_url, pool_pre_ping=True)


def make_turns_engine(database_url: str, engine: Engine) -> Engine:
    """The engine for the answered turns and the SMS choices (SqlAlchemyTurnsUnitOfWork): on
    SQLite, its own connections whose commits do not wait for the disk; elsewhere `engine`.

    A turn's claim and its kept reply are two commits, and on SQLite each commit waits for an
    fsync of the write-ahead log (synchronous=FULL), about a millisecond each, on every SMS turn.
    These rows are a 15-minute replay store, not records: with synchronous=NORMAL in WAL mode a
    commit survives the process being killed and the file stays consistent; only an operating
    system crash or power cut may take back the last few of these commits (a Twilio retry of
    such a turn is then answered afresh, and Rasa's channel still takes a message id once).
    The setting is per connection, so the contacts, the audit and every other record, written
    through `engine` and the action server's own, are fsynced at each commit as before: a FULL
    commit syncs the whole log, the NORMAL frames before it included.
    """
    if not database_url.startswith("sqlite"):
        return engine
    turns = create_engine(database_url, connect_args={"timeout": 30})
    event.listen(turns, "connect", _sqlite_pragmas)
    event.listen(turns, "connect", _no_fsync_per_commit)
    return turns


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API and the action server read while the other writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _no_fsync_per_commit(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
