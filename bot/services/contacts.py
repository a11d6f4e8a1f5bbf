"""The managers' use cases for contacts, one function each, shared by the IRT pages and the JSON
API: the queue, the list, one contact, a decision, an erasure, the CSV export. Each owns its
transaction and writes its one audit event in it (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.audit import AuditAction
from bot.domain.contact import (
    ContactSelection,
    ContactView,
    DecisionRequest,
    ErasureRequest,
)
from bot.domain.facts import ServiceFacts
from bot.domain.lcs_export import contacts_csv
from bot.domain.triage import QueueRow, queue_row, waiting_too_long
from bot.services.unit_of_work import AuditDetail, UnitOfWork

QUEUE_PAGE_SIZE = 50  # the queue page: a page a manager can scan, and quick however long the queue
LIST_LIMIT = 500  # the JSON list
EXPORT_LIMIT = 5000  # the CSV export


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    total: int  # how many contacts match, on every page
    page: int  # from 1
    page_size: int
    counts: dict[str, int]
    version: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        """The number of the page's first row in the whole selection (0 when it has none)."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0


def show_queue(
    uow: UnitOfWork,
    actor: str,
    selection: ContactSelection,
    *,
    facts: ServiceFacts,
    now: datetime,
    detail: AuditDetail | None = None,
    page: int = 1,
    page_size: int = QUEUE_PAGE_SIZE,
) -> Queue:
    """A page of the queue, audited as a view of the queue: summaries, each with the glimpse a
    manager triages by (the child's first name and age band, the concern's first words,
    decrypted for the page only) and its wait against the IRT's decision time at `now`. The
    same few statements however many contacts there are."""
    arguments = waiting_too_long(selection, now, facts).arguments()
    with uow:
        found = uow.contacts.glimpses(limit=page_size, offset=(page - 1) * page_size, **arguments)
        queue = Queue(
            rows=[queue_row(summary, glimpse, now, facts) for summary, glimpse in found],
            total=uow.contacts.count(**arguments),
            page=page,
            page_size=page_size,
            counts=uow.contacts.count_by_status(),
            version=uow.contacts.queue_version(),
        )
        uow.contacts.add_audit(
            actor,
            AuditAction.VIEW_QUEUE,
            detail={
                "count": len(queue.rows),
                **({"page": page} if page > 1 else {}),
                **(detail or {}),
            },
        )
        uow.commit()
    return queue


def queue_version(uow: UnitOfWork) -> tuple[str, dict[str, int]]:
    """The queue's version and its counts per status (not audited: it names no contact)."""
    with uow:
        return uow.contacts.queue_version(), uow.contacts.count_by_status()


def list_contacts(
    uow: UnitOfWork,
    actor: str,
    selection: ContactSelection,
    *,
    detail: AuditDetail | None = None,
    limit: int = LIST_LIMIT,
    facts: ServiceFacts | None = None,
    now: datetime | None = None,
) -> list[ContactView]:
    """Whole contacts (each with its referrer and child), audited as a read of each of them.
    An `overdue` selection needs `facts` and `now`, as the queue's does."""
    selection = _narrowed(selection, facts, now)
    with uow:
        views = uow.contacts.views(limit=limit, **selection.arguments())
        uow.contacts.add_audit(
            actor,
            AuditAction.LIST_CONTACTS,
            detail={
                "count": len(views),
                "references": " ".join(v.reference for v in views),
                **(detail or {}),
            },
        )
        uow.commit()
    return views


def export_contacts(
    uow: UnitOfWork,
    actor: str,
    selection: ContactSelection,
    *,
    timezone: str,
    detail: AuditDetail | None = None,
    limit: int = EXPORT_LIMIT,
    facts: ServiceFacts | None = None,
    now: datetime | None = None,
) -> str:
    """The selection as CSV for entry on LCS, with one audit event naming what it held (the
    queue's selection: an `overdue` one needs `facts` and `now`)."""
    selection = _narrowed(selection, facts, now)
    with uow:
        views = uow.contacts.views(limit=limit, **selection.arguments())
        uow.contacts.add_audit(
            actor,
            AuditAction.EXPORT_CONTACTS,
            detail={
                "count": len(views),
                "references": " ".join(v.reference for v in views),
                **(detail or {}),
            },
        )
        uow.commit()
    return contacts_csv(views, timezone)


def _narrowed(
    selection: ContactSelection, facts: ServiceFacts | None, now: datetime | None
) -> ContactSelection:
    if not selection.overdue:
        return selection
    if facts is None or now is None:
        raise ValueError("an overdue selection needs the service's facts and the time now")
    return waiting_too_long(selection, now, facts)


def view_contact(
    uow: UnitOfWork, actor: str, reference: str, *, detail: AuditDetail | None = None
) -> ContactView:
    """The whole contact, with the one audit event of looking at it (ContactNotFoundError when
    there is none)."""
    with uow:
        view = uow.contacts.get(reference)
        uow.contacts.add_audit(actor, AuditAction.VIEW_CONTACT, reference, detail or None)
        uow.commit()
    return view


def record_decision(
    uow: UnitOfWork,
    actor: str,
    reference: str,
    *,
    status: str,
    rationale: str,
    lcs_reference: str | None = None,
    detail: AuditDetail | None = None,
) -> ContactView:
    """A manager's decision and its audit event, in one transaction; the contact after it.
    ContactRuleError when the rules refuse it, ContactNotFoundError when there is no contact."""
    decision = DecisionRequest.checked(status, actor, rationale, lcs_reference)
    with uow:
        uow.contacts.decide(reference, decision)
        uow.contacts.add_audit(
            actor,
            AuditAction.RECORD_DECISION,
            reference,
            {"status": decision.status.value, **(detail or {})},
        )
        after = uow.contacts.get(reference)
        uow.commit()
    return after


def erase_contact(
    uow: UnitOfWork,
    actor: str,
    reference: str,
    *,
    rationale: str,
    detail: AuditDetail | None = None,
) -> ContactView:
    """A manager's erasure and its audit event, in one transaction; the tombstone after it."""
    erasure = ErasureRequest.checked(actor, rationale)
    with uow:
        uow.contacts.apply_erasure(reference, erasure)
        uow.contacts.add_audit(actor, AuditAction.ERASE_CONTACT, reference, detail or None)
        after = uow.contacts.get(reference)
        uow.commit()
    return after
