"""Reads the audit trail for staff. Events are written with ContactRepository.add_audit; what
is audited, and the names of the actions, are in bot.domain.audit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.adapters.db.models import AuditEvent
from bot.domain.audit import AuditEntry


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
    def _filtered(query: Any, reference: str | None, actor: str | None, action: str | None) -> Any:
        if reference:
            query = query.where(AuditEvent.reference == reference)
        if actor:
            query = query.where(AuditEvent.actor == actor)
        if action:
            query = query.where(AuditEvent.action == action)
        return query
