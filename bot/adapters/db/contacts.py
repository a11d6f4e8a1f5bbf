"""The contact record (SPEC §4): the only code that touches the contact tables.

The caller owns the transaction: pass a Session, commit or roll back around the calls. Callers
see dataclasses, never ORM objects; personal fields are encrypted on the way in and decrypted on
the way out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Update, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.alerts import alert_state
from bot.adapters.db.models import (
    AuditEvent,
    Contact,
    ContactStatusChange,
    IrtAlert,
    ManagerDecision,
    ReferenceCounter,
)
from bot.domain.clock import Clock, SystemClock
from bot.domain.contact import (
    ASSISTANT,
    UPDATABLE,
    CallerDetails,
    ChildDetails,
    ContactNotFoundError,
    ContactRuleError,
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
    require,
    unique,
)
from bot.domain.irt_alert import AlertState
from bot.domain.triage import Glimpse, first_name, first_words

# Every column holding a token; erasure blanks them all.
_ENCRYPTED_COLUMNS = (
    *(f"caller_{name}" for name in ("name", "role", "agency", "address", "phone", "email")),
    *(f"child_{name}" for name in ("name", "dob", "age", "unborn", "address", "setting", "carers")),
    "concern",
    "family_aware",
    "advice_given",
)


class ContactRepository:
    def __init__(
        self,
        session: Session,
        cipher: FieldCipher,
        clock: Clock | None = None,
        *,
        timezone: str,  # the service file's: a reference's year is the local year
    ) -> None:
        self._session = session
        self._cipher = cipher
        self._clock = clock or SystemClock()
        self._zone = ZoneInfo(timezone)

    def create(self, new: NewContact, origin: str | None = None) -> str:
        """Records a contact and returns its reference, e.g. `PCL-2026-000123`. With an
        `origin` (what created it: one conversation turn), a contact already recorded from the
        same origin is returned instead: a turn run twice records one contact."""
        if new.created_at.tzinfo is None:
            raise ContactRuleError("created_at must be timezone-aware")
        if origin is not None:
            earlier = self._session.scalar(
                select(Contact.reference).where(Contact.origin == origin)
            )
            if earlier is not None:
                return earlier
        year = new.created_at.astimezone(self._zone).year
        sequence = self._allocate_sequence(year)
        contact = Contact(
            reference=format_reference(year, sequence),
            year=year,
            sequence=sequence,
            origin=origin,
            created_at=new.created_at,
            updated_at=new.created_at,
            channel=new.channel,
            status=ContactStatus.NEW.value,
            significant_harm=new.significant_harm,
            immediate_danger=new.immediate_danger,
            harm_categories=unique(new.harm_categories),
            suggested_level=new.suggested_level,
            level_reasons=list(new.level_reasons),
            threshold_answers=dict(new.threshold_answers),
            next_steps=list(new.next_steps),
            **self._encrypt_caller(new.caller),
            **self._encrypt_child(new.child),
            concern=self._cipher.encrypt(new.concern),
            family_aware=self._cipher.encrypt(new.family_aware),
            advice_given=self._cipher.encrypt(new.advice_given),
        )
        self._session.add(contact)
        self._session.flush()
        self._session.add(
            ContactStatusChange(
                contact_id=contact.id,
                from_status=None,
                to_status=ContactStatus.NEW.value,
                at=new.created_at,
                by=ASSISTANT,
                rationale=None,
            )
        )
        self._session.flush()
        return contact.reference

    def update(self, reference: str, **changes: Any) -> None:
        """Completes a contact created early (a significant-harm handoff records first and asks
        later). `caller` and `child` replace the whole group. Flags only ever go from False to
        True (a False leaves a raised flag raised) and harm categories only ever grow, so a
        later, calmer answer can neither undo an alarm nor make the completion fail."""
        unknown = set(changes) - UPDATABLE
        if unknown:
            raise TypeError(f"cannot update {', '.join(sorted(unknown))}")
        contact = self._load(reference)
        refuse_if_erased(contact.reference, contact.status)
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name in ("significant_harm", "immediate_danger"):
                values[name] = bool(getattr(contact, name) or value)
            elif name == "caller":
                values.update(self._encrypt_caller(value))
            elif name == "child":
                values.update(self._encrypt_child(value))
            elif name in ("concern", "family_aware", "advice_given"):
                values[name] = self._cipher.encrypt(value)
            elif name == "harm_categories":
                values[name] = unique([*contact.harm_categories, *value])
            elif name in ("level_reasons", "next_steps"):
                values[name] = list(value)
            elif name == "threshold_answers":
                values[name] = dict(value)
            else:
                values[name] = value
        for name, value in values.items():
            setattr(contact, name, value)
        contact.updated_at = self._clock.now()
        self._session.flush()

    def get(self, reference: str) -> ContactView:
        """The whole contact, decrypted. Viewing is an audit event: the caller records it."""
        contact = self._load(reference)
        history = self._session.scalars(
            select(ContactStatusChange)
            .where(ContactStatusChange.contact_id == contact.id)
            .order_by(ContactStatusChange.at, ContactStatusChange.id)
        )
        decisions = self._session.scalars(
            select(ManagerDecision)
            .where(ManagerDecision.contact_id == contact.id)
            .order_by(ManagerDecision.at, ManagerDecision.id)
        )
        alert = self._session.scalar(
            select(IrtAlert)
            .where(IrtAlert.contact_reference == contact.reference)
            .order_by(IrtAlert.id.desc())
            .limit(1)
        )
        return self._view(contact, list(history), list(decisions), alert_state(alert))

    def views(self, limit: int | None = None, **selection: Any) -> list[ContactView]:
        """Whole contacts, decrypted, in the list's order: three queries however many there
        are (the contacts, their histories, their decisions)."""
        query = self._selection(limit=limit, **selection)
        rows = list(self._session.execute(_with_latest_alert(query)))
        contacts = [c for c, _ in rows]
        alerts = {c.id: alert for c, alert in rows}
        ids = query.with_only_columns(Contact.id).scalar_subquery()
        history: dict[int, list[ContactStatusChange]] = {c.id: [] for c in contacts}
        for row in self._session.scalars(
            select(ContactStatusChange)
            .where(ContactStatusChange.contact_id.in_(ids))
            .order_by(ContactStatusChange.at, ContactStatusChange.id)
        ):
            history.setdefault(row.contact_id, []).append(row)
        decisions: dict[int, list[ManagerDecision]] = {c.id: [] for c in contacts}
        for row in self._session.scalars(
            select(ManagerDecision)
            .where(ManagerDecision.contact_id.in_(ids))
            .order_by(ManagerDecision.at, ManagerDecision.id)
        ):
            decisions.setdefault(row.contact_id, []).append(row)
        return [
            self._view(c, history[c.id], decisions[c.id], alert_state(alerts[c.id]))
            for c in contacts
        ]

    def _view(
        self,
        contact: Contact,
        history: list[ContactStatusChange],
        decisions: list[ManagerDecision],
        alert: AlertState | None = None,
    ) -> ContactView:
        text = self._cipher.decrypt
        return ContactView(
            reference=contact.reference,
            created_at=contact.created_at,
            updated_at=contact.updated_at,
            channel=contact.channel,
            status=contact.status,
            significant_harm=contact.significant_harm,
            immediate_danger=contact.immediate_danger,
            harm_categories=list(contact.harm_categories),
            suggested_level=contact.suggested_level,
            level_reasons=list(contact.level_reasons),
            threshold_answers=dict(contact.threshold_answers),
            next_steps=list(contact.next_steps),
            caller=self._decrypt_caller(contact),
            child=self._decrypt_child(contact),
            concern=text(contact.concern),
            family_aware=text(contact.family_aware),
            advice_given=text(contact.advice_given),
            lcs_reference=contact.lcs_reference,
            erased_at=contact.erased_at,
            erased_by=contact.erased_by,
            erasure_rationale=text(contact.erasure_rationale),
            history=[
                StatusChange(h.at, h.by, h.from_status, h.to_status, text(h.rationale))
                for h in history
            ],
            decisions=[
                Decision(d.at, d.by, d.status, text(d.rationale), d.lcs_reference)
                for d in decisions
            ],
            alert=alert,
        )

    def find_by_child(self, name: str, date_of_birth: date) -> list[str]:
        """References of earlier contacts about the same child (exact match on the normalised
        name and date of birth), oldest first."""
        index = self._cipher.blind_index(name, date_of_birth)
        query = (
            select(Contact.reference)
            .where(Contact.child_blind_index == index)
            .order_by(Contact.created_at, Contact.id)
        )
        return list(self._session.scalars(query))

    def record_decision(
        self,
        reference: str,
        by: str,
        status: str,
        rationale: str,
        lcs_reference: str | None = None,
    ) -> None:
        """A manager's decision, with its rationale, and the status it moves the contact to."""
        self.decide(reference, DecisionRequest.checked(status, by, rationale, lcs_reference))

    def decide(self, reference: str, decision: DecisionRequest) -> None:
        contact = self._load(reference)
        refuse_if_erased(contact.reference, contact.status)
        now = self._clock.now()
        sealed = self._cipher.encrypt(decision.rationale)
        self._session.add_all(
            [
                ContactStatusChange(
                    contact_id=contact.id,
                    from_status=contact.status,
                    to_status=decision.status.value,
                    at=now,
                    by=decision.by,
                    rationale=sealed,
                ),
                ManagerDecision(
                    contact_id=contact.id,
                    at=now,
                    by=decision.by,
                    status=decision.status.value,
                    rationale=sealed,
                    lcs_reference=decision.lcs_reference,
                ),
            ]
        )
        contact.status = decision.status.value
        if decision.lcs_reference is not None:
            contact.lcs_reference = decision.lcs_reference
        contact.updated_at = now
        self._session.flush()

    def erase(self, reference: str, by: str, rationale: str) -> None:
        """A manager's erasure: every personal field is blanked (also in earlier decisions and
        the blind index); a tombstone keeps the reference, who, when and why (SPEC §4)."""
        self.apply_erasure(reference, ErasureRequest.checked(by, rationale))

    def apply_erasure(self, reference: str, erasure: ErasureRequest) -> None:
        by = erasure.by
        contact = self._load(reference)
        refuse_if_erased(contact.reference, contact.status)
        now = self._clock.now()
        for row in self._session.scalars(
            select(ContactStatusChange).where(ContactStatusChange.contact_id == contact.id)
        ):
            row.rationale = None
        for decision in self._session.scalars(
            select(ManagerDecision).where(ManagerDecision.contact_id == contact.id)
        ):
            decision.rationale = None
            decision.lcs_reference = None
        sealed = self._cipher.encrypt(erasure.rationale)
        self._session.add(
            ContactStatusChange(
                contact_id=contact.id,
                from_status=contact.status,
                to_status=ContactStatus.ERASED.value,
                at=now,
                by=by,
                rationale=sealed,
            )
        )
        for column in _ENCRYPTED_COLUMNS:
            setattr(contact, column, None)
        contact.child_blind_index = None
        contact.lcs_reference = None
        contact.harm_categories = []
        contact.level_reasons = []
        contact.threshold_answers = {}
        contact.next_steps = []
        contact.suggested_level = None
        contact.status = ContactStatus.ERASED.value
        contact.erased_at = now
        contact.erased_by = by
        contact.erasure_rationale = sealed
        contact.updated_at = now
        self._session.flush()

    def add_audit(
        self,
        actor: str,
        action: str,
        reference: str | None = None,
        detail: dict[str, str | int | bool | None] | None = None,
    ) -> None:
        """Who did what, when. `detail` is for ids and counts, never personal data."""
        require(actor, "an actor")
        require(action, "an action")
        if detail is not None and not all(
            isinstance(v, str | int | bool | None) for v in detail.values()
        ):
            raise ContactRuleError("audit detail holds flat values only")
        self._session.add(
            AuditEvent(
                at=self._clock.now(),
                actor=actor,
                action=action,
                reference=reference,
                detail=dict(detail) if detail is not None else None,
            )
        )
        self._session.flush()

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
    ) -> list[ContactSummary]:
        """Significant harm first, then oldest first. Erased tombstones only when asked for
        by status. `statuses` is any of several; `created_from` is inclusive and
        `created_before` exclusive."""
        query = self._selection(
            status=status,
            significant_harm=significant_harm,
            limit=limit,
            statuses=statuses,
            channel=channel,
            created_from=created_from,
            created_before=created_before,
        )
        return [_summary(c, alert) for c, alert in self._session.execute(_with_latest_alert(query))]

    def glimpses(
        self, limit: int | None = None, offset: int = 0, **selection: Any
    ) -> list[tuple[ContactSummary, Glimpse]]:
        """The list's summaries (from `offset`), each with the few personal details the queue
        shows (the child's first name and age, the concern's first words), decrypted: one
        statement."""
        query = self._selection(limit=limit, **selection).offset(offset)
        text = self._cipher.decrypt
        found = []
        for c, alert in self._session.execute(_with_latest_alert(query)):
            dob, age = text(c.child_dob), text(c.child_age)
            glimpse = Glimpse(
                child_first_name=first_name(text(c.child_name)),
                child_date_of_birth=date.fromisoformat(dob) if dob else None,
                child_age_years=int(age) if age else None,
                child_unborn=text(c.child_unborn) == "true",
                concern_opening=first_words(text(c.concern)),
            )
            found.append((_summary(c, alert), glimpse))
        return found

    @staticmethod
    def _selection(
        status: str | None = None,
        significant_harm: bool | None = None,
        limit: int | None = None,
        *,
        statuses: Collection[str] | None = None,
        channel: str | None = None,
        created_from: datetime | None = None,
        created_before: datetime | None = None,
    ) -> Select[tuple[Contact]]:
        query = select(Contact)
        if status is None and statuses is None:
            query = query.where(Contact.status != ContactStatus.ERASED.value)
        if status is not None:
            query = query.where(Contact.status == ContactStatus(status).value)
        if statuses is not None:
            query = query.where(Contact.status.in_([ContactStatus(s).value for s in statuses]))
        if significant_harm is not None:
            query = query.where(Contact.significant_harm == significant_harm)
        if channel is not None:
            query = query.where(Contact.channel == channel)
        if created_from is not None:
            query = query.where(Contact.created_at >= created_from)
        if created_before is not None:
            query = query.where(Contact.created_at < created_before)
        return query.order_by(
            Contact.significant_harm.desc(), Contact.created_at, Contact.id
        ).limit(limit)

    def count(self, **selection: Any) -> int:
        """How many contacts the selection holds (one statement)."""
        query = self._selection(**selection).order_by(None)
        return self._session.scalar(select(func.count()).select_from(query.subquery())) or 0

    def count_by_status(self) -> dict[str, int]:
        """How many contacts have each status (every status, zeros included)."""
        counts = dict.fromkeys((s.value for s in ContactStatus), 0)
        query = select(Contact.status, func.count(Contact.id)).group_by(Contact.status)
        for status, count in self._session.execute(query):
            counts[status] = count
        return counts

    def queue_version(self) -> str:
        """Changes whenever a contact is added, flagged, completed or decided: a cheap check,
        for an open queue page, that something moved. Says nothing about any contact."""
        contacts = self._session.execute(
            select(
                func.count(Contact.id),
                func.max(Contact.id),
                func.max(Contact.updated_at),
                func.count(Contact.id).filter(Contact.significant_harm.is_(True)),
            )
        ).one()
        # An alert's every change (sent, delivered, sent again) moves it too: the page shows it.
        history, alerts = self._session.execute(
            select(
                func.max(ContactStatusChange.id),
                select(func.max(IrtAlert.updated_at)).scalar_subquery(),
            )
        ).one()
        parts = "|".join(str(part) for part in (*contacts, history, alerts))
        return hashlib.sha256(parts.encode()).hexdigest()[:16]

    def first_decision_times(
        self, created_from: datetime, created_before: datetime
    ) -> list[tuple[datetime, datetime | None]]:
        """For each contact created in the period: when it was created and when a manager
        first decided on it (None while there is no decision). Times only, for statistics."""
        first = (
            select(ManagerDecision.contact_id, func.min(ManagerDecision.at).label("first_at"))
            .group_by(ManagerDecision.contact_id)
            .subquery()
        )
        query = (
            select(Contact.created_at, first.c.first_at)
            .outerjoin(first, first.c.contact_id == Contact.id)
            .where(Contact.created_at >= created_from, Contact.created_at < created_before)
            .order_by(Contact.created_at, Contact.id)
        )
        return [(created, decided) for created, decided in self._session.execute(query)]

    def _allocate_sequence(self, year: int) -> int:
        # An atomic increment inside the caller's transaction: concurrent writers queue on the
        # row (PostgreSQL) or the write lock (SQLite), and a rollback returns the number.
        sequence = self._session.execute(_bump(year)).scalar_one_or_none()
        if sequence is None:
            # First contact of the year: two processes may both get here; one insert wins.
            dialect = self._session.get_bind().dialect.name
            if dialect == "postgresql":
                insert = postgresql.insert(ReferenceCounter)
            elif dialect == "sqlite":
                insert = sqlite.insert(ReferenceCounter)
            else:
                raise NotImplementedError(f"no reference allocation for {dialect}")
            self._session.execute(
                insert.values(year=year, last_sequence=0).on_conflict_do_nothing(
                    index_elements=[ReferenceCounter.year]
                )
            )
            sequence = self._session.execute(_bump(year)).scalar_one()
        return sequence

    def _load(self, reference: str) -> Contact:
        contact = self._session.scalar(select(Contact).where(Contact.reference == reference))
        if contact is None:
            raise ContactNotFoundError(reference)
        return contact

    def _encrypt_caller(self, caller: CallerDetails) -> dict[str, str | None]:
        seal = self._cipher.encrypt
        return {f"caller_{f.name}": seal(getattr(caller, f.name)) for f in fields(caller)}

    def _encrypt_child(self, child: ChildDetails) -> dict[str, str | None]:
        seal = self._cipher.encrypt
        has_identity = bool(child.name and child.name.strip()) and child.date_of_birth is not None
        return {
            "child_name": seal(child.name),
            "child_dob": seal(child.date_of_birth.isoformat() if child.date_of_birth else None),
            "child_age": seal(str(child.age_years) if child.age_years is not None else None),
            # Always a token, true or false: a NULL beside the others would reveal a pregnancy.
            "child_unborn": seal("true" if child.unborn else "false"),
            "child_address": seal(child.address),
            "child_setting": seal(child.setting),
            "child_carers": seal(child.carers),
            "child_blind_index": (
                self._cipher.blind_index(child.name, child.date_of_birth) if has_identity else None
            ),
        }

    def _decrypt_caller(self, contact: Contact) -> CallerDetails:
        text = self._cipher.decrypt
        return CallerDetails(
            **{f.name: text(getattr(contact, f"caller_{f.name}")) for f in fields(CallerDetails)}
        )

    def _decrypt_child(self, contact: Contact) -> ChildDetails:
        text = self._cipher.decrypt
        dob = text(contact.child_dob)
        age = text(contact.child_age)
        return ChildDetails(
            name=text(contact.child_name),
            date_of_birth=date.fromisoformat(dob) if dob else None,
            age_years=int(age) if age else None,
            unborn=text(contact.child_unborn) == "true",
            address=text(contact.child_address),
            setting=text(contact.child_setting),
            carers=text(contact.child_carers),
        )


def _summary(c: Contact, alert: IrtAlert | None) -> ContactSummary:
    return ContactSummary(
        reference=c.reference,
        created_at=c.created_at,
        channel=c.channel,
        status=c.status,
        significant_harm=c.significant_harm,
        immediate_danger=c.immediate_danger,
        suggested_level=c.suggested_level,
        harm_categories=list(c.harm_categories),
        lcs_reference=c.lcs_reference,
        alert=alert_state(alert),
    )


def _with_latest_alert(query: Select[tuple[Contact]]) -> Select[tuple[Contact, IrtAlert]]:
    """The contacts of `query`, each with its latest IRT alert (or None), in one statement."""
    latest = (
        select(IrtAlert.contact_reference, func.max(IrtAlert.id).label("alert_id"))
        .group_by(IrtAlert.contact_reference)
        .subquery()
    )
    return (
        query.add_columns(IrtAlert)
        .outerjoin(latest, latest.c.contact_reference == Contact.reference)
        .outerjoin(IrtAlert, IrtAlert.id == latest.c.alert_id)
    )


def _bump(year: int) -> Update:
    return (
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last_sequence=ReferenceCounter.last_sequence + 1)
        .returning(ReferenceCounter.last_sequence)
        .execution_options(synchronize_session=False)
    )
