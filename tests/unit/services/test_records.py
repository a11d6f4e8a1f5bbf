"""Recording a contact from a conversation, with the statistic it counts, on a unit of work in
memory: one transaction for both, one contact per turn however often the turn runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.contact import ChildDetails, ContactRuleError, NewContact
from bot.domain.statistics import StatEntry, StatEvent
from bot.services.records import FlaggedBy, count, record_contact
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


class Allowance:
    """The flood meter as the limiter keeps it: `allowed` flagged contacts per client."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.counts: dict[str, int] = {}

    def beyond_allowance(self, client: str) -> bool:
        self.counts[client] = self.counts.get(client, 0) + 1
        return self.counts[client] > self.allowed


def test_a_clients_flagged_contacts_beyond_its_allowance_are_kept_but_marked() -> None:
    uow, meter = FakeUnitOfWork(), Allowance(3)
    flooder = [
        record_contact(
            uow,
            new(significant_harm=True),
            reference=None,
            origin=f"flood-{n}",
            flagged_by=FlaggedBy("client-a", meter),
        )
        for n in range(5)
    ]
    other = record_contact(
        uow,
        new(significant_harm=True),
        reference=None,
        origin="other",
        flagged_by=FlaggedBy("client-b", meter),
    )
    rows = uow.committed.rows
    assert [rows[r].flooding_source for r in flooder] == [False, False, False, True, True]
    assert rows[other].flooding_source is False  # another client has its own allowance
    queue = [c.reference for c in uow.committed.list()]
    assert queue[-2:] == flooder[-2:]  # kept, and listed after all the others


def test_an_early_contact_flagged_beyond_the_allowance_is_marked_when_completed() -> None:
    uow, meter = FakeUnitOfWork(), Allowance(0)
    reference = record_contact(uow, new(), reference=None, origin="turn-1")
    record_contact(
        uow,
        new(significant_harm=True),
        reference=reference,
        origin="turn-2",
        flagged_by=FlaggedBy("client-a", meter),
    )
    assert uow.committed.rows[reference].flooding_source is True
