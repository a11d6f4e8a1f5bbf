"""The queue, the JSON list and the CSV export run the same small number of SQL statements for
10 contacts as for 500 (they once ran three per contact, for up to 5,000)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.alerts import AlertRepository
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from bot.adapters.service_file import load_facts
from bot.domain.clock import FixedClock
from bot.domain.contact import ChildDetails, ContactSelection, NewContact
from bot.services import contacts as use_cases

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ZONE = "Europe/London"
FACTS = load_facts()


def _fill(engine: Engine, cipher: FieldCipher, start: int, end: int) -> SqlAlchemyUnitOfWork:
    sessions = make_session_factory(engine)
    clock = FixedClock(START + timedelta(days=30))
    with sessions.begin() as session:
        contacts = ContactRepository(session, cipher, clock, timezone=ZONE)
        alerts = AlertRepository(session)
        for n in range(start, end):
            reference = contacts.create(
                NewContact(
                    channel="web",
                    created_at=START + timedelta(minutes=n),
                    child=ChildDetails(name=f"Child {n}"),
                    concern="A concern",
                )
            )
            if n % 2:
                contacts.record_decision(reference, "manager", "in_review", "Looking at it")
            if n % 3 == 0:  # some flagged, each with its IRT alert (shown on the queue)
                alerts.add(reference, f"alert {reference}")
    return SqlAlchemyUnitOfWork(sessions, cipher, clock, ZONE)


def _statements(engine: Engine, run: Callable[[], object]) -> int:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def _use_cases(uow: SqlAlchemyUnitOfWork) -> dict[str, Callable[[], object]]:
    everything = ContactSelection()
    return {
        "queue": lambda: use_cases.show_queue(
            uow, "manager", everything, facts=FACTS, now=START + timedelta(days=30)
        ),
        "list": lambda: use_cases.list_contacts(uow, "manager", everything),
        "export": lambda: use_cases.export_contacts(uow, "manager", everything, timezone=ZONE),
    }


@pytest.mark.parametrize("use_case", ["queue", "list", "export"])
def test_the_lists_run_as_many_statements_for_500_contacts_as_for_10(
    database_url: str, cipher: FieldCipher, use_case: str
) -> None:
    engine = make_engine(database_url)
    try:
        counts = []
        for start, end in ((0, 10), (10, 500)):  # 10 contacts, then 500
            run = _use_cases(_fill(engine, cipher, start, end))[use_case]
            run()  # warm: a first use of a connection may ask the database about itself
            counts.append(_statements(engine, run))
    finally:
        engine.dispose()
    assert counts[0] == counts[1]
    assert counts[1] <= 10
