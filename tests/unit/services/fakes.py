"""A unit of work in memory (dicts), for the use cases' unit tests: no database."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from bot.domain.contact import (
    ContactNotFoundError,
    ContactStatus,
    ContactSummary,
    ContactView,
    Decision,
    DecisionRequest,
    ErasureRequest,
    NewContact,
    StatusChange,
    format_reference,
    refuse_if_erased,
)
from bot.domain.statistics import StatEntry
from bot.domain.triage import Glimpse, first_name, first_words

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@dataclasses.dataclass
class FakeAudit:
    actor: str
    action: str
    reference: str | None
    detail: dict[str, Any] | None


class FakeContacts:
    def __init__(self, contacts: list[ContactView]) -> None:
        self.rows = {c.reference: c for c in contacts}
        self.origins: dict[str, str] = {}
        self.audit: list[FakeAudit] = []

    def create(
        self, new: NewContact, origin: str | None = None, *, flooding_source: bool = False
    ) -> str:
        if origin is not None and origin in self.origins:
            return self.origins[origin]
        reference = format_reference(new.created_at.year, len(self.rows) + 1)
        self.rows[reference] = ContactView(
            reference=reference,
            created_at=new.created_at,
            updated_at=new.created_at,
            channel=new.channel,
            status=ContactStatus.NEW.value,
            significant_harm=new.significant_harm,
            immediate_danger=new.immediate_danger,
            harm_categories=list(new.harm_categories),
            suggested_level=new.suggested_level,
            level_reasons=list(new.level_reasons),
            threshold_answers=dict(new.threshold_answers),
            next_steps=list(new.next_steps),
            caller=new.caller,
            child=new.child,
            concern=new.concern,
            family_aware=new.family_aware,
            consent_reason=new.consent_reason,
            advice_given=new.advice_given,
            lcs_reference=None,
            erased_at=None,
            erased_by=None,
            erasure_rationale=None,
            history=[],
            decisions=[],
            flooding_source=flooding_source,
        )
        if origin is not None:
            self.origins[origin] = reference
        return reference

    def update(self, reference: str, **changes: Any) -> None:
        contact = self.get(reference)
        refuse_if_erased(reference, contact.status)
        self.rows[reference] = dataclasses.replace(contact, **changes)

    def mark_flooding_source(self, reference: str) -> None:
        self.rows[reference] = dataclasses.replace(self.get(reference), flooding_source=True)

    def get(self, reference: str) -> ContactView:
        try:
            return self.rows[reference]
        except KeyError:
            raise ContactNotFoundError(reference) from None

    def _chosen(
        self,
        status: str | None = None,
        significant_harm: bool | None = None,
        limit: int | None = None,
        *,
        statuses: Collection[str] | None = None,
        channel: str | None = None,
        created_from: datetime | None = None,
        created_before: datetime | None = None,
    ) -> list[ContactView]:
        chosen = [
            c
            for c in self.rows.values()
            if (status is not None or statuses is not None or c.status != ContactStatus.ERASED)
            and (status is None or c.status == status)
            and (statuses is None or c.status in statuses)
            and (significant_harm is None or c.significant_harm == significant_harm)
            and (channel is None or c.channel == channel)
            and (created_from is None or c.created_at >= created_from)
            and (created_before is None or c.created_at < created_before)
        ]
        chosen.sort(key=lambda c: (c.flooding_source, not c.significant_harm, c.created_at))
        return chosen[:limit]

    def list(self, *args: Any, **kwargs: Any) -> list[ContactSummary]:
        return [
            ContactSummary(
                reference=c.reference,
                created_at=c.created_at,
                channel=c.channel,
                status=c.status,
                significant_harm=c.significant_harm,
                immediate_danger=c.immediate_danger,
                suggested_level=c.suggested_level,
                harm_categories=c.harm_categories,
                lcs_reference=c.lcs_reference,
                flooding_source=c.flooding_source,
            )
            for c in self._chosen(*args, **kwargs)
        ]

    def count(self, **selection: Any) -> int:
        return len(self._chosen(**selection))

    def glimpses(
        self, limit: int | None = None, offset: int = 0, **selection: Any
    ) -> list[tuple[ContactSummary, Glimpse]]:
        summaries = {s.reference: s for s in self.list(**selection)}
        return [
            (
                summaries[c.reference],
                Glimpse(
                    child_first_name=first_name(c.child.name),
                    child_date_of_birth=c.child.date_of_birth,
                    child_age_years=c.child.age_years,
                    child_unborn=c.child.unborn,
                    concern_opening=first_words(c.concern),
                ),
            )
            for c in self._chosen(**selection)[offset:][:limit]
        ]

    def views(self, limit: int | None = None, **selection: Any) -> list[ContactView]:
        return self._chosen(limit=limit, **selection)

    def decide(self, reference: str, decision: DecisionRequest) -> None:
        contact = self.get(reference)
        refuse_if_erased(reference, contact.status)
        self.rows[reference] = dataclasses.replace(
            contact,
            status=decision.status.value,
            lcs_reference=decision.lcs_reference or contact.lcs_reference,
            history=[
                *contact.history,
                StatusChange(NOW, decision.by, contact.status, decision.status, decision.rationale),
            ],
            decisions=[
                *contact.decisions,
                Decision(
                    NOW, decision.by, decision.status, decision.rationale, decision.lcs_reference
                ),
            ],
        )

    def apply_erasure(self, reference: str, erasure: ErasureRequest) -> None:
        contact = self.get(reference)
        refuse_if_erased(reference, contact.status)
        self.rows[reference] = dataclasses.replace(
            contact,
            status=ContactStatus.ERASED.value,
            concern=None,
            erased_at=NOW,
            erased_by=erasure.by,
            erasure_rationale=erasure.rationale,
        )

    def count_by_status(self) -> dict[str, int]:
        counts = dict.fromkeys((s.value for s in ContactStatus), 0)
        for contact in self.rows.values():
            counts[contact.status] += 1
        return counts

    def queue_version(self) -> str:
        return str(len(self.rows))

    def add_audit(
        self,
        actor: str,
        action: str,
        reference: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.audit.append(FakeAudit(actor, action, reference, detail))


class FakeStatistics:
    def __init__(self, entries: list[StatEntry] | None = None) -> None:
        self.entries = list(entries or [])

    def add(self, entry: StatEntry) -> None:
        self.entries.append(entry)


class FakeAlerts:
    """The alerts' outbox as a list: what record_contact queues (the sender's claims and
    retries are tested on SQLite, tests/unit/services/test_alert_outbox.py)."""

    def __init__(self, rows: list[tuple[str, str, str | None]] | None = None) -> None:
        self.rows = list(rows or [])  # (reference, body, origin)

    def add(self, reference: str, body: str, origin: str | None = None) -> None:
        if origin is None or all(o != origin for _, _, o in self.rows):
            self.rows.append((reference, body, origin))


class FakeUnitOfWork:
    """Changes are kept only when the use case commits, as in the database."""

    def __init__(self, contacts: list[ContactView] | None = None) -> None:
        self.committed = FakeContacts(contacts or [])
        self.committed_statistics = FakeStatistics()
        self.committed_alerts = FakeAlerts()
        self.commits = 0

    def __enter__(self) -> Self:
        self.contacts = FakeContacts(list(self.committed.rows.values()))
        self.contacts.origins = dict(self.committed.origins)
        self.contacts.audit = list(self.committed.audit)
        self.statistics = FakeStatistics(self.committed_statistics.entries)
        self.alerts = FakeAlerts(self.committed_alerts.rows)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        del self.contacts, self.statistics, self.alerts

    def commit(self) -> None:
        self.committed = self.contacts
        self.committed_statistics = self.statistics
        self.committed_alerts = self.alerts
        self.commits += 1
