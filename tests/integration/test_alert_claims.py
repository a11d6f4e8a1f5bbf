"""The alerts' outbox on each backend (SQLite and PostgreSQL), migrated to head: senders in
several threads, each with its own sessions as separate processes would have, claim and send
every due alert exactly once, and a flagged contact's alert rolls back with it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from bot.domain.clock import FixedClock
from bot.domain.contact import NewContact
from bot.services.alert_outbox import deliver_due
from bot.services.records import record_contact

ZONE = "Europe/London"
AT = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


class Gateway:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def send(self, reference: str, body: str) -> str:
        with self._lock:
            self.sent.append(reference)
            return f"SM{len(self.sent):032d}"


def test_concurrent_senders_send_each_alert_once(database_url: str, cipher: FieldCipher) -> None:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)

    def unit() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, cipher, FixedClock(AT), ZONE)

    try:
        references = [
            record_contact(
                unit(),
                NewContact(channel="web", created_at=AT, significant_harm=True),
                reference=None,
                origin=f"turn-{n}",
                alert=lambda reference: f"alert {reference}",
            )
            for n in range(12)
        ]
        gateway = Gateway()
        start = threading.Barrier(4)

        def sender() -> None:
            start.wait()
            deliver_due(unit, gateway, lambda: datetime.now(UTC) + timedelta(seconds=1))

        threads = [threading.Thread(target=sender) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(gateway.sent) == sorted(references)
    finally:
        engine.dispose()


def test_a_failed_transaction_leaves_no_alert(database_url: str, cipher: FieldCipher) -> None:
    engine = make_engine(database_url)
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine), cipher, FixedClock(AT), ZONE)

    def broken(reference: str) -> str:
        raise RuntimeError("failed after the contact was written")

    try:
        with pytest.raises(RuntimeError):
            record_contact(
                uow,
                NewContact(channel="web", created_at=AT, significant_harm=True),
                reference=None,
                origin="turn-1",
                alert=broken,
            )
        with uow:
            assert uow.alerts.due(datetime.now(UTC) + timedelta(days=1)) == []
            assert uow.contacts.list() == []
    finally:
        engine.dispose()
