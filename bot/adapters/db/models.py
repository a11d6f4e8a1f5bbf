"""Tables of the application database (SQLAlchemy 2 typed mappings)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Mapper,
    ORMExecuteState,
    Session,
    mapped_column,
)


class Base(DeclarativeBase):
    pass


class AnonymousStatistic(Base):
    """One counted event with nothing that identifies anyone (ISA, §5.17): no conversation id,
    no text; only the day, the hour, the channel and categories."""

    __tablename__ = "anonymous_statistics"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    hour: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(40), index=True)
    topic: Mapped[str | None] = mapped_column(String(40))
    suggested_level: Mapped[str | None] = mapped_column(String(20))


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC: SQLite keeps no offset, so every value is normalised on
    the way in and marked UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("record times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Contact(Base):
    """One contact with the line. Columns named `caller_*`, `child_*` (but the blind index),
    `concern`, `family_aware`, `consent_reason`, `advice_given` hold AES-GCM tokens, never plain
    text."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("reference", name="uq_contacts_reference"),
        UniqueConstraint("year", "sequence", name="uq_contacts_year_sequence"),
        UniqueConstraint("origin", name="uq_contacts_origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), index=True)
    significant_harm: Mapped[bool] = mapped_column(Boolean, default=False)
    immediate_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    suggested_level: Mapped[str | None] = mapped_column(String(20))
    level_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    threshold_answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    next_steps: Mapped[list[str]] = mapped_column(JSON, default=list)

    caller_name: Mapped[str | None] = mapped_column(Text)
    caller_role: Mapped[str | None] = mapped_column(Text)
    caller_agency: Mapped[str | None] = mapped_column(Text)
    caller_address: Mapped[str | None] = mapped_column(Text)
    caller_phone: Mapped[str | None] = mapped_column(Text)
    caller_email: Mapped[str | None] = mapped_column(Text)
    child_name: Mapped[str | None] = mapped_column(Text)
    child_dob: Mapped[str | None] = mapped_column(Text)
    child_age: Mapped[str | None] = mapped_column(Text)
    child_unborn: Mapped[str | None] = mapped_column(Text)  # encrypted too: it reveals a pregnancy
    child_address: Mapped[str | None] = mapped_column(Text)
    child_setting: Mapped[str | None] = mapped_column(Text)
    child_carers: Mapped[str | None] = mapped_column(Text)
    concern: Mapped[str | None] = mapped_column(Text)
    family_aware: Mapped[str | None] = mapped_column(Text)
    # Why it was shared without the family's consent (ISA "Consent"); NULL when not asked.
    consent_reason: Mapped[str | None] = mapped_column(Text)
    advice_given: Mapped[str | None] = mapped_column(Text)
    child_blind_index: Mapped[str | None] = mapped_column(String(64), index=True)

    lcs_reference: Mapped[str | None] = mapped_column(String(40))
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    erased_by: Mapped[str | None] = mapped_column(String(120))
    erasure_rationale: Mapped[str | None] = mapped_column(Text)  # encrypted: staff free text
    # A keyed hash of the conversation turn that created it: the same turn run again (its
    # reply was lost and the caller sent it again) finds the contact instead of adding one.
    origin: Mapped[str | None] = mapped_column(String(64))
    # One client's flagged contacts beyond its allowance an hour (PCL_FLAGGED_CONTACTS_PER_CLIENT):
    # kept, but sorted after the others in the queue and shown as a possible flood.
    flooding_source: Mapped[bool] = mapped_column(Boolean, default=False)


class ContactStatusChange(Base):
    __tablename__ = "contact_status_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(120))
    rationale: Mapped[str | None] = mapped_column(Text)  # encrypted: staff free text names people


class ManagerDecision(Base):
    """Each manager decision: "Decisions made to share or to not share information need to be
    recorded" (SPEC §4)."""

    __tablename__ = "manager_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(24))
    rationale: Mapped[str | None] = mapped_column(Text)  # encrypted: staff free text names people
    lcs_reference: Mapped[str | None] = mapped_column(String(40))


class AuditEvent(Base):
    """Who did what to which contact, and when. Append-only: refused here on update or delete,
    and by a database trigger as well. `detail` must never hold personal data."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(20), index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReferenceCounter(Base):
    """The last contact sequence handed out per year; incremented inside the creating
    transaction, so a rollback gives the number back and references stay gap-free."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer)


class AnsweredTurn(Base):
    """A turn being or already answered, so that a repeat (the web page's Retry with the same
    message id, Twilio's retry of a MessageSid) gets the same reply and no second turn. Keyed by
    bot.domain.privacy.turn_key, a keyed hash: never a conversation's or a message's id as sent. The
    reply is the assistant's own (JSON for the web, TwiML for SMS), never one that repeats
    what the caller wrote. Deleted after 15 minutes (bot.adapters.db.answered_turns)."""

    __tablename__ = "answered_turns"

    turn_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    # When the delivery answering it claimed it (or took over a claim left unanswered).
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # None while the turn is still being answered.
    reply: Mapped[str | None] = mapped_column(Text)


class SmsConversation(Base):
    """The payloads of the numbered choices last offered to an SMS sender, so that a reply "1"
    maps back to its button. Keyed by the keyed hash of the number, never the number."""

    __tablename__ = "sms_conversations"

    sender_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    choices: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class StaffUser(Base):
    """A member of staff who may sign in to the IRT review pages (bot.adapters.db.staff)."""

    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("username", name="uq_staff_users_username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    # Argon2id (bot.adapters.passwords); None for an account that signs in another way (OIDC).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The second factor: the TOTP secret encrypted with the record keys (bot.adapters.crypto),
    # confirmed once its holder has typed a code from it; the last time step used, so that a
    # code is taken once.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffSignInLock(Base):
    """Wrong passwords counted per account and per client (a keyed hash of its address), so
    that a stranger's guesses lock out the stranger and not the account's holder."""

    __tablename__ = "staff_sign_in_locks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffRecoveryCode(Base):
    """A one-time recovery code for a lost authenticator, stored as an Argon2 hash."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffSession(Base):
    """A signed-in browser or API client. The id is the SHA-256 of the cookie's random value,
    so a copy of this table cannot be replayed as a cookie."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    csrf_token: Mapped[str] = mapped_column(String(64))
    # False while the session may do nothing but enrol the second factor.
    second_factor: Mapped[bool] = mapped_column(Boolean, default=True)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a row that must only ever be added."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_audit_update(_mapper: Mapper[Any], _connection: Connection, _target: Any) -> None:
    raise AppendOnlyError("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_delete(_mapper: Mapper[Any], _connection: Connection, _target: Any) -> None:
    raise AppendOnlyError("audit events cannot be deleted")


@event.listens_for(Contact, "before_delete")
def _refuse_contact_delete(_mapper: Mapper[Any], _connection: Connection, _target: Any) -> None:
    # Retention: a contact is erased by a manager with a rationale, never deleted (SPEC §4).
    raise AppendOnlyError("contacts are erased with a rationale, never deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    # `session.execute(update(AuditEvent))` bypasses the mapper events above.
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ is AuditEvent:
        raise AppendOnlyError("audit events cannot be changed or deleted")
    if state.is_delete and mapper is not None and mapper.class_ is Contact:
        raise AppendOnlyError("contacts are erased with a rationale, never deleted")


class IrtAlert(Base):
    """The SMS alert to the IRT duty phone for one flagged contact (its outbox row): written in
    the contact's own transaction, delivered by the action server's sender
    (bot/services/alert_outbox.py). Holds the alert's text (a reference and a time, no personal
    data) and Twilio's error code, never an error's text."""

    __tablename__ = "irt_alerts"
    __table_args__ = (UniqueConstraint("origin", name="uq_irt_alerts_origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a summary message (the alerts it tells of point to it with summary_id).
    contact_reference: Mapped[str | None] = mapped_column(String(20), index=True)
    # The conversation turn that flagged the contact: a turn run twice alerts once.
    origin: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    message_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    last_error: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Held back beyond the cap: the summary message that told the IRT of it.
    summary_id: Mapped[int | None] = mapped_column(Integer, index=True)


class IrtAlertSend(Base):
    """One message handed to Twilio for the duty phone (an alert, a resend or a summary): the
    cap (PCL_IRT_ALERT_CAP) counts these in its window. Older ones are pruned."""

    __tablename__ = "irt_alert_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class IrtAlertGate(Base):
    """One row, updated first by every sender's decision under the cap: the update's lock
    (PostgreSQL's row lock, SQLite's write lock) makes the decisions one at a time, so two
    senders cannot both take the window's last place."""

    __tablename__ = "irt_alert_gate"

    id: Mapped[int] = mapped_column(primary_key=True)
    decisions: Mapped[int] = mapped_column(Integer)
