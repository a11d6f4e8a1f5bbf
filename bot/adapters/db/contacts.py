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
from bot.adapters.sealed_fields import ENCRYPTED_COLUMNS, Sealer, place_of
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

# Every personal column holding a token; erasure blanks them all (and seals its rationale).
_PERSONAL_COLUMNS = tuple(c for c in ENCRYPTED_COLUMNS["contacts"] if c != "erasure_rationale")


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
        self._sealer = Sealer(cipher)
        self._clock = clock or SystemClock()
        self._zone = ZoneInfo(timezone)

    def create(
        self, new: NewContact, origin: str | None = None, *, flooding_source: bool = False
    ) -> str:
        """Records a contact and returns its reference, e.g. `PCL-2026-000123`. With an
        `origin` (what created it: one conversation turn), a contact already recorded from the
        same origin is returned instead: a turn run twice records one contact.
        `flooding_source`: a flagged contact from a client beyond its allowance."""
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
            flooding_source=flooding_source,
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
            child_blind_index=self._child_index(new.child),
        )
        texts = {
            **_caller_texts(new.caller),
            **_child_texts(new.child),
            "concern": new.concern,
            "family_aware": new.family_aware,
            "consent_reason": new.consent_reason,
            "advice_given": new.advice_given,
        }
        for column, token in self._sealed(contact, texts).items():
            setattr(contact, column, token)
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
        later, calmer answer can neither undo an alarm nor make the completion fail. An answer
        not known (None, empty, a caller or child with no detail) never blanks a known one, and
        the concern only grows."""
        unknown = set(changes) - UPDATABLE
        if unknown:
            raise TypeError(f"cannot update {', '.join(sorted(unknown))}")
        contact = self._load(reference)
        refuse_if_erased(contact.reference, contact.status)
        values: dict[str, Any] = {}
        for name, value in changes.items():
            # An answer this completion does not know (the conversation's transcript was
            # forgotten once saved: bot.domain.privacy) leaves what the contact holds.
            if not _unknown(value):
                values.update(self._completed(contact, name, value))
        for name, value in values.items():
            setattr(contact, name, value)
        contact.updated_at = self._clock.now()
        self._session.flush()

    def _completed(self, contact: Contact, name: str, value: Any) -> dict[str, Any]:
        if name == "caller":
            return self._sealed(contact, _caller_texts(value))
        if name == "child":
            index = self._child_index(value)
            return {**self._sealed(contact, _child_texts(value)), "child_blind_index": index}
        if name in ("significant_harm", "immediate_danger"):
            new = bool(getattr(contact, name) or value)
        elif name == "concern":
            return self._sealed(contact, {name: _grown(self._sealer.read(contact, name), value)})
        elif name in ("family_aware", "consent_reason", "advice_given"):
            return self._sealed(contact, {name: value})
        elif name == "harm_categories":
            new = unique([*contact.harm_categories, *value])
        elif name in ("level_reasons", "next_steps"):
            new = list(value)
        elif name == "threshold_answers":
            new = dict(value)
        else:
            new = value
        return {name: new}

    def mark_flooding_source(self, reference: str) -> None:
        """A contact flagged after it was created, by a client beyond its allowance."""
        self._load(reference).flooding_source = True
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
        show = self._sealer.show
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
            concern=show(contact, "concern"),
            family_aware=show(contact, "family_aware"),
            consent_reason=show(contact, "consent_reason"),
            advice_given=show(contact, "advice_given"),
            lcs_reference=contact.lcs_reference,
            flooding_source=contact.flooding_source,
            erased_at=contact.erased_at,
            erased_by=contact.erased_by,
            erasure_rationale=show(contact, "erasure_rationale"),
            history=[
                StatusChange(h.at, h.by, h.from_status, h.to_status, show(h, "rationale"))
                for h in history
            ],
            decisions=[
                Decision(d.at, d.by, d.status, show(d, "rationale"), d.lcs_reference)
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
        rows = [
            ContactStatusChange(
                contact_id=contact.id,
                from_status=contact.status,
                to_status=decision.status.value,
                at=now,
                by=decision.by,
            ),
            ManagerDecision(
                contact_id=contact.id,
                at=now,
                by=decision.by,
                status=decision.status.value,
                lcs_reference=decision.lcs_reference,
            ),
        ]
        self._seal_new_rows(rows, "rationale", decision.rationale)
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
        tombstone = ContactStatusChange(
            contact_id=contact.id,
            from_status=contact.status,
            to_status=ContactStatus.ERASED.value,
            at=now,
            by=by,
        )
        self._seal_new_rows([tombstone], "rationale", erasure.rationale)
        for column in _PERSONAL_COLUMNS:
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
        self._sealer.seal(contact, "erasure_rationale", erasure.rationale)
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
        """Significant harm first, then oldest first; contacts from a flooding source after
        all the others. Erased tombstones only when asked for
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
        statement. A value that cannot be decrypted is left out (the contact page says why)."""
        query = self._selection(limit=limit, **selection).offset(offset)
        found = []
        for c, alert in self._session.execute(_with_latest_alert(query)):
            text = {
                column: self._sealer.show(c, column, unreadable=None)
                for column in ("child_name", "child_dob", "child_age", "child_unborn", "concern")
            }
            dob, age = text["child_dob"], text["child_age"]
            glimpse = Glimpse(
                child_first_name=first_name(text["child_name"]),
                child_date_of_birth=date.fromisoformat(dob) if dob else None,
                child_age_years=int(age) if age else None,
                child_unborn=text["child_unborn"] == "true",
                concern_opening=first_words(text["concern"]),
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
        # A flood of fake flags must not bury a real contact: the flood's go last.
        return query.order_by(
            Contact.flooding_source, Contact.significant_harm.desc(), Contact.created_at, Contact.id
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

    def _sealed(self, contact: Contact, texts: dict[str, str | None]) -> dict[str, str | None]:
        """The tokens of `texts` by column, bound to the contact's row."""
        seal = self._cipher.encrypt
        return {column: seal(text, place_of(contact, column)) for column, text in texts.items()}

    def _seal_new_rows(self, rows: list[Any], column: str, text: str | None) -> None:
        """Rows keyed by their id are inserted first (the id is then known), then sealed."""
        self._session.add_all(rows)
        self._session.flush()
        for row in rows:
            self._sealer.seal(row, column, text)

    def _child_index(self, child: ChildDetails) -> str | None:
        has_identity = bool(child.name and child.name.strip()) and child.date_of_birth is not None
        return self._cipher.blind_index(child.name, child.date_of_birth) if has_identity else None

    def _decrypt_caller(self, contact: Contact) -> CallerDetails:
        show = self._sealer.show
        return CallerDetails(
            **{f.name: show(contact, f"caller_{f.name}") for f in fields(CallerDetails)}
        )

    def _decrypt_child(self, contact: Contact) -> ChildDetails:
        show = self._sealer.show
        dob = show(contact, "child_dob", unreadable=None)
        age = show(contact, "child_age", unreadable=None)
        return ChildDetails(
            name=show(contact, "child_name"),
            date_of_birth=date.fromisoformat(dob) if dob else None,
            age_years=int(age) if age else None,
            unborn=show(contact, "child_unborn", unreadable=None) == "true",
            address=show(contact, "child_address"),
            setting=show(contact, "child_setting"),
            carers=show(contact, "child_carers"),
        )


def _caller_texts(caller: CallerDetails) -> dict[str, str | None]:
    return {f"caller_{f.name}": getattr(caller, f.name) for f in fields(caller)}


def _child_texts(child: ChildDetails) -> dict[str, str | None]:
    born = child.date_of_birth
    return {
        "child_name": child.name,
        "child_dob": born.isoformat() if born else None,
        "child_age": str(child.age_years) if child.age_years is not None else None,
        # Always a token, true or false: a NULL beside the others would reveal a pregnancy.
        "child_unborn": "true" if child.unborn else "false",
        "child_address": child.address,
        "child_setting": child.setting,
        "child_carers": child.carers,
    }


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
        flooding_source=c.flooding_source,
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


def _unknown(value: Any) -> bool:
    if isinstance(value, (CallerDetails, ChildDetails)):
        return not any(getattr(value, f.name) for f in fields(value))
    return value is None or value in ([], {})


def _grown(stored: str | None, new: str) -> str:
    """A concern told again after its conversation was forgotten is added to the one kept."""
    return new if not stored or stored in new else f"{stored}\n{new}"
