"""What a use case needs from storage, as interfaces: the contact records (with the audit trail
they write to), the anonymous statistics and the reports on both, and the IRT alerts' outbox,
inside one transaction. The SQLAlchemy one is bot.adapters.db.unit_of_work;
tests/unit/services/fakes.py keeps everything in dicts."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from bot.domain.audit import AuditEntry
from bot.domain.contact import (
    ContactSummary,
    ContactView,
    DecisionRequest,
    ErasureRequest,
    NewContact,
)
from bot.domain.irt_alert import AlertToSend
from bot.domain.reports import StatisticsReport
from bot.domain.statistics import StatEntry
from bot.domain.triage import Glimpse

AuditDetail = dict[str, str | int | bool | None]


class ContactRecords(Protocol):
    def create(self, new: NewContact, origin: str | None = None) -> str: ...

    def update(self, reference: str, **changes: object) -> None: ...

    def get(self, reference: str) -> ContactView: ...

    def list(
        self,
        status: str | None = None,
        significant_harm: bool | None = None,
        limit: int | None = None,
        *,
        statuses: Collection[str] | None = None,
        channel: str | None = None,
        created_from: datetime | None = None,
        created_before: datetime | None = None,
    ) -> list[ContactSummary]: ...

    def glimpses(
        self, limit: int | None = None, offset: int = 0, **selection: object
    ) -> list[tuple[ContactSummary, Glimpse]]: ...

    def count(self, **selection: object) -> int: ...

    def views(self, limit: int | None = None, **selection: object) -> list[ContactView]: ...

    def decide(self, reference: str, decision: DecisionRequest) -> None: ...

    def apply_erasure(self, reference: str, erasure: ErasureRequest) -> None: ...

    def count_by_status(self) -> dict[str, int]: ...

    def queue_version(self) -> str: ...

    def add_audit(
        self,
        actor: str,
        action: str,
        reference: str | None = None,
        detail: AuditDetail | None = None,
    ) -> None: ...


class StatisticsRecords(Protocol):
    def add(self, entry: StatEntry) -> None: ...


class AlertRecords(Protocol):
    """The IRT alerts' outbox (bot.services.alert_outbox)."""

    def add(self, reference: str, body: str, origin: str | None = None) -> None: ...

    def due(self, now: datetime, limit: int = 20) -> list[AlertToSend]: ...

    def claim(self, alert_id: int, now: datetime, lease_until: datetime) -> bool: ...

    def sent(self, alert_id: int, sid: str, now: datetime, recheck_at: datetime) -> None: ...

    def not_sent(self, alert_id: int, error: str, now: datetime, retry_at: datetime) -> None: ...

    def reported(
        self, sid: str, delivered: bool, error: str | None, now: datetime, retry_at: datetime
    ) -> bool: ...


class StatisticsReports(Protocol):
    def report(self, first_day: date, last_day: date) -> StatisticsReport: ...


class AuditRecords(Protocol):
    def count(
        self, *, reference: str | None = None, actor: str | None = None, action: str | None = None
    ) -> int: ...

    def events(
        self,
        *,
        reference: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]: ...


class UnitOfWork(Protocol):
    """One transaction: entered with `with`, kept by `commit()`, otherwise rolled back."""

    contacts: ContactRecords
    statistics: StatisticsRecords
    alerts: AlertRecords
    reports: StatisticsReports
    audit: AuditRecords

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
