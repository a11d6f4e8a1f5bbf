"""What the managers read about the service rather than about a contact: the statistics for a
period and the audit trail. Neither is audited (anonymous counts; the trail itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.audit import AuditEntry
from bot.domain.reports import StatisticsReport
from bot.services.unit_of_work import UnitOfWork


def statistics_report(uow: UnitOfWork, first_day: date, last_day: date) -> StatisticsReport:
    """The numbers for the days from `first_day` to `last_day`, both included (PeriodError for
    a period the rules refuse)."""
    with uow:
        return uow.reports.report(first_day, last_day)


@dataclass(frozen=True)
class AuditPage:
    total: int  # every event that matches
    events: list[AuditEntry]  # the page of them, newest first


def audit_trail(
    uow: UnitOfWork,
    *,
    reference: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> AuditPage:
    with uow:
        total = uow.audit.count(reference=reference, actor=actor, action=action)
        events = uow.audit.events(
            reference=reference, actor=actor, action=action, limit=limit, offset=offset
        )
    return AuditPage(total, events)
