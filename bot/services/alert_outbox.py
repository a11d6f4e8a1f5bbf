"""Delivering the IRT alerts' outbox (docs/alert-outbox.md): each alert is a row written in its
flagged contact's transaction; `deliver_due` sends the ones that are due, each claimed by one
sender at a time, and schedules the next attempt; `record_delivery_report` takes Twilio's status
callback. Until Twilio reports an alert delivered it is sent again: after a failed send with
exponential back-off, and two minutes after a send that was never reported delivered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.domain.irt_alert import (
    DELIVERY_DEADLINE,
    SEND_LEASE,
    TWILIO_DELIVERED,
    TWILIO_NOT_DELIVERED,
    AlertToSend,
    retry_delay,
)
from bot.services.unit_of_work import UnitOfWorkFactory

logger = logging.getLogger(__name__)


class AlertNotSentError(Exception):
    """The gateway could not hand the alert to Twilio; `code` says why, never a text that
    could hold the alert's or anyone's words (e.g. "http-500", "ConnectionError")."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AlertGateway(Protocol):
    def send(self, reference: str, body: str) -> str:
        """Sends the SMS to the duty phone; the message's SID (AlertNotSentError if not)."""
        ...


def deliver_due(
    unit_of_work: UnitOfWorkFactory,
    gateway: AlertGateway,
    now: Callable[[], datetime],
    *,
    limit: int = 20,
) -> int:
    """Sends every alert that is due (at most `limit`); returns how many Twilio accepted. An
    alert another sender claimed first is left to it."""
    with unit_of_work() as uow:
        due = uow.alerts.due(now(), limit)
    return sum(_deliver(unit_of_work, gateway, now, alert) for alert in due)


def _deliver(
    unit_of_work: UnitOfWorkFactory,
    gateway: AlertGateway,
    now: Callable[[], datetime],
    alert: AlertToSend,
) -> bool:
    with unit_of_work() as uow:
        at = now()
        claimed = uow.alerts.claim(alert.id, at, at + SEND_LEASE)
        uow.commit()
    if not claimed:
        return False
    attempts = alert.attempts + 1
    try:
        sid = gateway.send(alert.reference, alert.body)
    except AlertNotSentError as error:
        with unit_of_work() as uow:
            at = now()
            uow.alerts.not_sent(alert.id, error.code, at, at + retry_delay(attempts))
            uow.commit()
        logger.error(
            "IRT alert for contact %s not sent (attempt %d): %s",
            alert.reference,
            attempts,
            error.code,
        )
        return False
    with unit_of_work() as uow:
        at = now()
        uow.alerts.sent(alert.id, sid, at, at + DELIVERY_DEADLINE)
        uow.commit()
    logger.info("IRT alert for contact %s sent as %s (attempt %d)", alert.reference, sid, attempts)
    return True


def record_delivery_report(
    unit_of_work: UnitOfWorkFactory,
    now: Callable[[], datetime],
    sid: str,
    status: str,
    error_code: str | None = None,
) -> bool:
    """Twilio's status callback for message `sid`: "delivered" marks its alert delivered;
    "undelivered" or "failed" has it sent again soon. Any other status (queued, sent, ...)
    changes nothing. True when an alert was changed."""
    if status not in TWILIO_DELIVERED | TWILIO_NOT_DELIVERED:
        return False
    with unit_of_work() as uow:
        at = now()
        changed = uow.alerts.reported(
            sid,
            delivered=status in TWILIO_DELIVERED,
            error=f"twilio-{error_code}" if error_code else status,
            now=at,
            retry_at=at + retry_delay(1),
        )
        uow.commit()
    return changed
