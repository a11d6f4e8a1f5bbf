"""The audit trail as staff read it, and the names of what staff do (SPEC §4: every view,
export and change of a contact by staff is an audit event: who, what, when).

Events are written with ContactRepository.add_audit; this module only reads them. What is
audited, one event each:

- sign_in, sign_in_failed (the account name, or "unknown" when there is no such account; never
  the password), sign_out;
- view_queue: a page of the queue (summaries: references, times, flags; no personal data);
- list_contacts: the JSON list, which carries each contact's referrer and child;
- view_contact: a contact's page or its JSON (also a page shown again with a refused form);
- record_decision, erase_contact: the changes;
- export_contacts: a CSV export, with the references it held.

Not audited: the background check for queue changes (a version number, nothing about any
contact), the statistics (anonymous counts), the audit trail itself and the account list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.adapters.db.models import AuditEvent

UNKNOWN_ACTOR = "unknown"


class AuditAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    VIEW_QUEUE = "view_queue"
    LIST_CONTACTS = "list_contacts"
    VIEW_CONTACT = "view_contact"
    RECORD_DECISION = "record_decision"
    ERASE_CONTACT = "erase_contact"
    EXPORT_CONTACTS = "export_contacts"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    reference: str | None
    detail: dict[str, Any]


class AuditTrail:
    def __init__(self, session: Session) -> None:
        self._session = session

    def events(
        self,
        *,
        reference: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """Newest first."""
        query = self._filtered(select(AuditEvent), reference, actor, action)
        query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        rows = self._session.scalars(query.limit(limit).offset(offset))
        return [
            AuditEntry(e.id, e.at, e.actor, e.action, e.reference, dict(e.detail or {}))
            for e in rows
        ]

    def count(
        self,
        *,
        reference: str | None = None,
        actor: str | None = None,
        action: str | None = None,
    ) -> int:
        query = self._filtered(select(func.count(AuditEvent.id)), reference, actor, action)
        return self._session.scalar(query) or 0

    @staticmethod
    def _filtered(
        query: Any, reference: str | None, actor: str | None, action: str | None
    ) -> Any:
        if reference:
            query = query.where(AuditEvent.reference == reference)
        if actor:
            query = query.where(AuditEvent.actor == actor)
        if action:
            query = query.where(AuditEvent.action == action)
        return query
