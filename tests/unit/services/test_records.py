"""Recording a contact from a conversation, with the statistic it counts, on a unit of work in
memory: one transaction for both, one contact per turn however often the turn runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.contact import ChildDetails, ContactRuleError, NewContact
from bot.domain.statistics import StatEntry, StatEvent
from bot.services.records import count, record_contact
from tests.unit.services.fakes import FakeUnitOfWork

AT = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
HARM = StatEntry(StatEvent.SIGNIFICANT_HARM, AT, "web", "named_child")


def new(**values: object) -> NewContact:
    return NewContact(channel="web", created_at=AT, **values)  # type: ignore[arg-type]


def test_a_contact_and_its_statistic_are_committed_together() -> None:
    uow = FakeUnitOfWork()
    reference = record_contact(
        uow, new(concern="bruises"), reference=None, origin="turn-1", counted=HARM
    )
    assert uow.committed.rows[reference].concern == "bruises"
    assert uow.committed_statistics.entries == [HARM]
    assert uow.commits == 1


def test_a_turn_run_twice_records_one_contact() -> None:
    uow = FakeUnitOfWork()
    first = record_contact(uow, new(), reference=None, origin="turn-1")
    again = record_contact(uow, new(), reference=None, origin="turn-1")
    assert first == again
    assert len(uow.committed.rows) == 1


def test_completing_an_early_contact_keeps_its_reference_and_creation_time() -> None:
    uow = FakeUnitOfWork()
    reference = record_contact(uow, new(significant_harm=True), reference=None, origin="turn-1")
    later = NewContact(
        channel="web",
        created_at=datetime(2026, 11, 26, 11, 30, tzinfo=UTC),
        child=ChildDetails(name="Sam"),
        significant_harm=True,
    )
    assert record_contact(uow, later, reference=reference, origin="turn-2") == reference
    completed = uow.committed.rows[reference]
    assert (completed.child.name, completed.created_at) == ("Sam", AT)


def test_a_refused_completion_counts_nothing() -> None:
    uow = FakeUnitOfWork()
    reference = record_contact(uow, new(), reference=None, origin="turn-1")
    uow.committed.rows[reference] = replace(uow.committed.rows[reference], status="erased")
    with pytest.raises(ContactRuleError):
        record_contact(uow, new(), reference=reference, origin="turn-2", counted=HARM)
    assert uow.committed_statistics.entries == []


def test_statistics_are_counted_in_one_transaction() -> None:
    uow = FakeUnitOfWork()
    started = StatEntry(StatEvent.CONVERSATION_STARTED, AT, "sms")
    closed = StatEntry(StatEvent.CLOSED_ATTEMPT, AT, "sms")
    count(uow, started, closed)
    assert uow.committed_statistics.entries == [started, closed]
    assert uow.commits == 1


def test_a_flagged_contact_and_its_alert_are_committed_together() -> None:
    uow = FakeUnitOfWork()
    reference = record_contact(
        uow,
        new(significant_harm=True),
        reference=None,
        origin="turn-1",
        alert=lambda flagged: f"alert for {flagged}",
    )
    assert uow.committed_alerts.rows == [(reference, f"alert for {reference}", "turn-1")]
    assert uow.commits == 1


def test_a_turn_run_twice_queues_one_alert() -> None:
    uow = FakeUnitOfWork()
    for _ in range(2):
        record_contact(
            uow, new(significant_harm=True), reference=None, origin="turn-1", alert=str.upper
        )
    assert len(uow.committed_alerts.rows) == 1


def test_a_failed_transaction_leaves_neither_contact_nor_alert() -> None:
    uow = FakeUnitOfWork()

    def broken(reference: str) -> str:
        raise RuntimeError("the wording failed")

    with pytest.raises(RuntimeError):
        record_contact(
            uow, new(significant_harm=True), reference=None, origin="turn-1", alert=broken
        )
    assert uow.committed.rows == {}
    assert uow.committed_alerts.rows == []
