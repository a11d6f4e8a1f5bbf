"""The alerts' outbox on each backend (SQLite and PostgreSQL), migrated to head: senders in
several threads, each with its own sessions as separate processes would have, claim and send
every due alert exactly once, and a flagged contact's alert rolls back with it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from bot.adapters.service_file import load_facts
from bot.domain.alert_cap import AlertCap
from bot.domain.clock import FixedClock
from bot.domain.contact import NewContact
from bot.services.alert_outbox import deliver_due
from bot.services.records import record_contact

ZONE = "Europe/London"
AT = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


class Gateway:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.bodies: list[str] = []
        self._lock = threading.Lock()

    def send(self, reference: str, body: str) -> str:
        with self._lock:
            self.sent.append(reference)
            self.bodies.append(body)
            return f"SM{len(self.sent):032d}"


def senders_at_once(count: int, deliver: Callable[[], object]) -> None:
    start = threading.Barrier(count)

    def sender() -> None:
        start.wait()
        deliver()

    threads = [threading.Thread(target=sender) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def flag_many(unit: Callable[[], SqlAlchemyUnitOfWork], count: int) -> list[str]:
    return [
        record_contact(
            unit(),
            NewContact(channel="web", created_at=AT, significant_harm=True),
            reference=None,
            origin=f"turn-{n}",
            alert=lambda reference: f"alert {reference}",
        )
        for n in range(count)
    ]


def test_concurrent_senders_send_each_alert_once(database_url: str, cipher: FieldCipher) -> None:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)

    def unit() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, cipher, FixedClock(AT), ZONE)

    try:
        references = flag_many(unit, 12)
        gateway = Gateway()
        senders_at_once(
            4, lambda: deliver_due(unit, gateway, lambda: datetime.now(UTC) + timedelta(seconds=1))
        )
        assert sorted(gateway.sent) == sorted(references)
    finally:
        engine.dispose()


def test_concurrent_senders_never_pass_the_cap_and_sum_up_the_rest_once(
    database_url: str, cipher: FieldCipher
) -> None:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)

    def unit() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, cipher, FixedClock(AT), ZONE)

    cap, facts = AlertCap(5, timedelta(minutes=10)), load_facts()
    try:
        references = flag_many(unit, 12)
        gateway = Gateway()
        soon = datetime.now(UTC) + timedelta(seconds=1)
        senders_at_once(4, lambda: deliver_due(unit, gateway, lambda: soon, cap=cap, facts=facts))
        assert len(gateway.sent) == 5 and set(gateway.sent) <= set(references)
        later = soon + timedelta(minutes=11)  # the window has room again
        senders_at_once(4, lambda: deliver_due(unit, gateway, lambda: later, cap=cap, facts=facts))
        summaries = [body for body in gateway.bodies if "more significant-harm" in body]
        assert len(summaries) == 1 and "and 7 more significant-harm contacts" in summaries[0]
        assert len(gateway.sent) <= 10  # the summary and the undelivered ones sent again
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
