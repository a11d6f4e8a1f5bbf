"""What a use case needs from storage, as interfaces: the contact records (with the audit trail
they write to), the anonymous statistics and the reports on both, the IRT alerts' outbox and
the staff accounts, inside one transaction; and, for both channels' turns, the answered turns
and the SMS choices. The SQLAlchemy ones are in bot.adapters.db.unit_of_work;
tests/unit/services/fakes.py and staff_fakes.py keep everything in dicts."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from bot.domain.alert_cap import HeldAlert
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
from bot.domain.staff import NewSession, SessionRecord, StaffAccount
from bot.domain.statistics import StatEntry
from bot.domain.triage import Glimpse

AuditDetail = dict[str, str | int | bool | None]


class ContactRecords(Protocol):
    def create(
        self, new: NewContact, origin: str | None = None, *, flooding_source: bool = False
    ) -> str: ...

    def update(self, reference: str, **changes: object) -> None: ...

    def mark_flooding_source(self, reference: str) -> None: ...

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

    # The cap (bot.domain.alert_cap): decisions one at a time, behind lock_cap().
    def lock_cap(self) -> None: ...

    def sends_since(self, since: datetime) -> list[datetime]: ...

    def record_send(self, alert_id: int, at: datetime) -> None: ...

    def free_send(self, alert_id: int) -> None: ...

    def hold(self, alert_id: int, now: datetime) -> None: ...

    def postpone(self, alert_id: int, until: datetime, now: datetime) -> None: ...

    def holding(self) -> bool: ...

    def held(self) -> list[HeldAlert]: ...

    def add_summary(
        self, body: str, held: list[int], now: datetime, lease_until: datetime
    ) -> AlertToSend: ...


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


class Transaction(Protocol):
    """One transaction: entered with `with`, kept by `commit()`, otherwise rolled back."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class UnitOfWork(Transaction, Protocol):
    """The records, the statistics, the alerts' outbox and the audit trail."""

    contacts: ContactRecords
    statistics: StatisticsRecords
    alerts: AlertRecords
    reports: StatisticsReports
    audit: AuditRecords


UnitOfWorkFactory = Callable[[], UnitOfWork]


# --- staff accounts and sessions (bot.services.staff_auth) -----------------------------------


class StaffRecords(Protocol):
    """Accounts, their sign-in locks (per account and client), second factor and sessions."""

    def find(self, username: str) -> StaffAccount | None: ...

    def accounts(self) -> list[StaffAccount]: ...

    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...

    def set_password(self, user_id: int, password_hash: str, now: datetime) -> None: ...

    def is_locked_for(self, user_id: int, client_key: str, now: datetime) -> bool: ...

    def record_failure(
        self, user_id: int, client_key: str, now: datetime, lock_after: int, lock_until: datetime
    ) -> bool:
        """Counts a failure; True when this one locked the account for this client."""
        ...

    def record_success(self, user_id: int, client_key: str) -> None: ...

    def set_totp_secret(self, user_id: int, encrypted_secret: str | None) -> None: ...

    def confirm_totp(self, user_id: int, now: datetime, step: int) -> None: ...

    def use_totp_step(self, user_id: int, step: int) -> bool:
        """False when this step (or a later one) was used already."""
        ...

    def set_recovery_codes(self, user_id: int, code_hashes: list[str]) -> None: ...

    def unused_recovery_codes(self, user_id: int) -> list[tuple[int, str]]: ...

    def use_recovery_code(self, code_id: int, now: datetime) -> bool: ...

    def create_session(
        self, user_id: int, now: datetime, *, second_factor: bool = True
    ) -> NewSession: ...

    def session(self, token: str) -> SessionRecord | None: ...

    def touch_session(self, record_id: str, now: datetime) -> None: ...

    def end_session(self, token: str) -> None: ...

    def end_session_by_id(self, record_id: str) -> None: ...

    def end_other_sessions(self, user_id: int, keep_record_id: str) -> None: ...

    def end_expired_sessions(self, started_before: datetime, idle_since: datetime) -> int: ...


class StaffUnitOfWork(Transaction, Protocol):
    """A unit of work with the staff accounts and sessions (and the audit trail)."""

    staff: StaffRecords
    contacts: ContactRecords


# --- each turn answered once, both channels (bot.services.answered_turns) --------------------


class StoreUnavailable(Exception):
    """The records database could not be reached (a restart, a failover): the turns are
    answered without it."""


class AlreadyClaimed(Exception):
    """Another delivery of this turn got there first."""


@dataclass(frozen=True)
class TurnState:
    received_at: datetime  # when the delivery answering it claimed it
    reply: str | None  # None while it is being answered


class AnsweredTurnRecords(Protocol):
    def claim(self, turn_key: str, channel: str, at: datetime) -> None:
        """Raises AlreadyClaimed when another delivery claimed it (and spoils the transaction)."""
        ...

    def state(self, turn_key: str) -> TurnState | None: ...

    def take_over(self, turn_key: str, at: datetime, claimed_before: datetime) -> bool: ...

    def save_reply(self, turn_key: str, reply: str) -> None: ...

    def release(self, turn_key: str, claimed_at: datetime) -> None: ...

    def purge(self, now: datetime) -> int: ...


class SmsChoiceRecords(Protocol):
    """The numbered choices last offered to each SMS sender."""

    def choices_for(self, sender_id: str, now: datetime) -> list[str]: ...

    def set_choices(self, sender_id: str, payloads: list[str], at: datetime) -> None: ...

    def purge(self, now: datetime) -> int: ...


class TurnsUnitOfWork(Transaction, Protocol):
    """One transaction over the answered turns and the SMS choices. Any failure to reach the
    database leaves it as StoreUnavailable."""

    turns: AnsweredTurnRecords
    sms: SmsChoiceRecords


TurnsUnitOfWorkFactory = Callable[[], TurnsUnitOfWork]
