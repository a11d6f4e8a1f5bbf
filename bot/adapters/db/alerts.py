"""The IRT alerts' outbox table (bot.services.unit_of_work.AlertRecords): rows added in the
flagged contact's transaction, claimed by one sender at a time with a conditional UPDATE whose
row count says who won (the same on SQLite and PostgreSQL), and Twilio's reports by SID. And
the cap on alerts (bot.domain.alert_cap): the sends in its window, the gate that makes the
senders' decisions one at a time, the alerts held back and the summary that tells of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.adapters.db.models import Contact, IrtAlert, IrtAlertGate, IrtAlertSend
from bot.domain.alert_cap import HeldAlert
from bot.domain.irt_alert import UNDELIVERED, AlertState, AlertStatus, AlertToSend


def wall_clock() -> datetime:
    return datetime.now(UTC)


def alert_state(row: IrtAlert | None) -> AlertState | None:
    if row is None:
        return None
    return AlertState(
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        last_error=row.last_error,
        summed=row.summary_id is not None,
    )


def _new_alert(
    reference: str | None,
    body: str,
    now: datetime,
    status: AlertStatus,
    next_attempt_at: datetime,
    *,
    origin: str | None = None,
    attempts: int = 0,
) -> IrtAlert:
    return IrtAlert(
        contact_reference=reference,
        origin=origin,
        body=body,
        status=status.value,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        created_at=now,
        updated_at=now,
    )


def _to_send(row: IrtAlert) -> AlertToSend:
    summary = row.contact_reference is None
    return AlertToSend(
        row.id,
        row.contact_reference or f"summary-{row.id}",
        row.body,
        row.status,
        row.attempts,
        summary=summary,
    )


class AlertRepository:
    """The alerts keep time by the wall clock (the retries are real waits), never by a
    service clock fixed for tests of the hours."""

    def __init__(self, session: Session, now: Callable[[], datetime] = wall_clock) -> None:
        self._session = session
        self._now = now

    def add(self, reference: str, body: str, origin: str | None = None) -> None:
        """Queues the alert for `reference`, due at once; one per `origin` (a turn run twice
        alerts once)."""
        if origin is not None:
            earlier = self._session.scalar(select(IrtAlert.id).where(IrtAlert.origin == origin))
            if earlier is not None:
                return
        now = self._now()
        self._session.add(_new_alert(reference, body, now, AlertStatus.PENDING, now, origin=origin))
        self._session.flush()

    def due(self, now: datetime, limit: int = 20) -> list[AlertToSend]:
        rows = self._session.scalars(
            select(IrtAlert)
            .where(
                IrtAlert.status.in_([s.value for s in UNDELIVERED]),
                IrtAlert.next_attempt_at <= now,
            )
            .order_by(IrtAlert.next_attempt_at, IrtAlert.id)
            .limit(limit)
        )
        return [_to_send(r) for r in rows]

    def claim(self, alert_id: int, now: datetime, lease_until: datetime) -> bool:
        """Makes the alert this sender's until `lease_until`, if it is still due: True for the
        one sender whose UPDATE changed the row."""
        result = self._session.execute(
            update(IrtAlert)
            .where(
                IrtAlert.id == alert_id,
                IrtAlert.status.in_([s.value for s in UNDELIVERED]),
                IrtAlert.next_attempt_at <= now,
            )
            .values(
                status=AlertStatus.SENDING.value,
                attempts=IrtAlert.attempts + 1,
                next_attempt_at=lease_until,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    def sent(self, alert_id: int, sid: str, now: datetime, recheck_at: datetime) -> None:
        """Twilio accepted it: sent again at `recheck_at` unless delivered by then."""
        self._session.execute(
            update(IrtAlert)
            .where(IrtAlert.id == alert_id, IrtAlert.status == AlertStatus.SENDING.value)
            .values(
                status=AlertStatus.SENT.value,
                message_sid=sid,
                last_error=None,
                sent_at=now,
                next_attempt_at=recheck_at,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    def not_sent(self, alert_id: int, error: str, now: datetime, retry_at: datetime) -> None:
        self._session.execute(
            update(IrtAlert)
            .where(IrtAlert.id == alert_id, IrtAlert.status == AlertStatus.SENDING.value)
            .values(
                status=AlertStatus.PENDING.value,
                last_error=error[:40],
                next_attempt_at=retry_at,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    def reported(
        self,
        sid: str,
        delivered: bool,
        error: str | None,
        now: datetime,
        retry_at: datetime,
    ) -> bool:
        """Twilio's report on message `sid`: delivered (final), or not delivered (sent again at
        `retry_at`). False when no undelivered alert has that SID."""
        values: dict[str, object] = {"updated_at": now}
        if delivered:
            values |= {
                "status": AlertStatus.DELIVERED.value,
                "delivered_at": now,
                "next_attempt_at": None,
            }
        else:
            values |= {
                "status": AlertStatus.FAILED.value,
                "last_error": (error or "undelivered")[:40],
                "next_attempt_at": retry_at,
            }
        # A failure report only counts for the send it reports on (not a resend under way).
        statuses = UNDELIVERED if delivered else (AlertStatus.SENT,)
        result = self._session.execute(
            update(IrtAlert)
            .where(IrtAlert.message_sid == sid, IrtAlert.status.in_([s.value for s in statuses]))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if delivered:
            # A summary delivered: so are the alerts it told of.
            summaries = select(IrtAlert.id).where(IrtAlert.message_sid == sid).scalar_subquery()
            self._session.execute(
                update(IrtAlert)
                .where(
                    IrtAlert.summary_id.in_(summaries),
                    IrtAlert.status == AlertStatus.SUMMED.value,
                )
                .values(status=AlertStatus.DELIVERED.value, delivered_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        return result.rowcount > 0  # type: ignore[attr-defined]

    def latest(self, reference: str) -> AlertState | None:
        """The contact's latest alert, if any."""
        return alert_state(
            self._session.scalar(
                select(IrtAlert)
                .where(IrtAlert.contact_reference == reference)
                .order_by(IrtAlert.id.desc())
                .limit(1)
            )
        )

    # --- the cap (bot.domain.alert_cap) -----------------------------------------------------

    def lock_cap(self) -> None:
        """The first statement of a decision under the cap: an update of the gate's one row,
        whose lock (PostgreSQL's row lock, SQLite's write lock) holds any other sender's
        decision until this transaction ends."""
        bump = (
            update(IrtAlertGate)
            .where(IrtAlertGate.id == 1)
            .values(decisions=IrtAlertGate.decisions + 1)
            .execution_options(synchronize_session=False)
        )
        if self._session.execute(bump).rowcount == 1:  # type: ignore[attr-defined]
            return
        dialect = self._session.get_bind().dialect.name
        add = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(IrtAlertGate)
        self._session.execute(
            add.values(id=1, decisions=0).on_conflict_do_nothing(index_elements=["id"])
        )
        self._session.execute(bump)

    def sends_since(self, since: datetime) -> list[datetime]:
        """The messages handed to Twilio after `since` (older ones are pruned)."""
        self._session.execute(delete(IrtAlertSend).where(IrtAlertSend.at <= since))
        return list(self._session.scalars(select(IrtAlertSend.at).where(IrtAlertSend.at > since)))

    def record_send(self, alert_id: int, at: datetime) -> None:
        self._session.add(IrtAlertSend(alert_id=alert_id, at=at))
        self._session.flush()

    def free_send(self, alert_id: int) -> None:
        """The alert's latest send did not reach Twilio: it does not count against the cap."""
        latest = select(func.max(IrtAlertSend.id)).where(IrtAlertSend.alert_id == alert_id)
        self._session.execute(
            delete(IrtAlertSend).where(IrtAlertSend.id == latest.scalar_subquery())
        )

    def hold(self, alert_id: int, now: datetime) -> None:
        """Beyond the cap: kept for the next summary, never due on its own."""
        self._session.execute(
            update(IrtAlert)
            .where(IrtAlert.id == alert_id, IrtAlert.status == AlertStatus.PENDING.value)
            .values(status=AlertStatus.HELD.value, next_attempt_at=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def postpone(self, alert_id: int, until: datetime, now: datetime) -> None:
        """Due, but the cap's window is full: due again when it has room."""
        self._session.execute(
            update(IrtAlert)
            .where(
                IrtAlert.id == alert_id,
                IrtAlert.status.in_([s.value for s in UNDELIVERED]),
                IrtAlert.next_attempt_at <= now,
            )
            .values(next_attempt_at=until, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def holding(self) -> bool:
        """Whether any alert is held for a summary still to be sent."""
        held = select(IrtAlert.id).where(IrtAlert.status == AlertStatus.HELD.value).limit(1)
        return self._session.scalar(held) is not None

    def held(self) -> list[HeldAlert]:
        """The alerts held for a summary, oldest first, each with whether its contact came
        from a flooding source."""
        rows = self._session.execute(
            select(IrtAlert.id, IrtAlert.created_at, Contact.flooding_source)
            .outerjoin(Contact, Contact.reference == IrtAlert.contact_reference)
            .where(IrtAlert.status == AlertStatus.HELD.value)
            .order_by(IrtAlert.created_at, IrtAlert.id)
        )
        return [HeldAlert(id, at, bool(flood)) for id, at, flood in rows]

    def add_summary(
        self, body: str, held: list[int], now: datetime, lease_until: datetime
    ) -> AlertToSend:
        """The summary of the `held` alerts, claimed by this sender (as `claim` does) to be
        sent at once; the held alerts now point to it."""
        row = _new_alert(None, body, now, AlertStatus.SENDING, lease_until, attempts=1)
        self._session.add(row)
        self._session.flush()
        summary = row.id
        self._session.execute(
            update(IrtAlert)
            .where(IrtAlert.id.in_(held), IrtAlert.status == AlertStatus.HELD.value)
            .values(status=AlertStatus.SUMMED.value, summary_id=summary, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        # As `due` gives an alert: with the tries before this one.
        return AlertToSend(
            summary, f"summary-{summary}", body, AlertStatus.SENDING.value, 0, summary=True
        )
