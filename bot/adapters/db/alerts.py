"""The IRT alerts' outbox table (bot.services.unit_of_work.AlertRecords): rows added in the
flagged contact's transaction, claimed by one sender at a time with a conditional UPDATE whose
row count says who won (the same on SQLite and PostgreSQL), and Twilio's reports by SID."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.adapters.db.models import IrtAlert
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
        self._session.add(
            IrtAlert(
                contact_reference=reference,
                origin=origin,
                body=body,
                status=AlertStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
        )
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
        return [AlertToSend(r.id, r.contact_reference, r.body, r.status, r.attempts) for r in rows]

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
