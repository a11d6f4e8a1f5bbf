"""Delivering the IRT alerts' outbox (docs/alert-outbox.md): each alert is a row written in its
flagged contact's transaction; `deliver_due` sends the ones that are due, each claimed by one
sender at a time, and schedules the next attempt; `record_delivery_report` takes Twilio's status
callback. Until Twilio reports an alert delivered it is sent again: after a failed send with
exponential back-off, and two minutes after a send that was never reported delivered.

With a cap (bot.domain.alert_cap, PCL_IRT_ALERT_CAP) at most so many messages go to the duty
phone in any window: an alert beyond it is held, and one summary tells the IRT of the held ones
as soon as the window has room. Each decision under the cap is taken with the gate locked
(AlertRecords.lock_cap), so two senders cannot both take the window's last place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.domain.alert_cap import AlertCap, Verdict, summary_due, summary_text, verdict
from bot.domain.facts import ServiceFacts
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
    cap: AlertCap | None = None,
    facts: ServiceFacts | None = None,
) -> int:
    """Sends every alert that is due (at most `limit`); returns how many Twilio accepted. An
    alert another sender claimed first is left to it. Under a `cap` (with the `facts` the
    summary is worded from) the summary of held alerts goes first when the window has room."""
    accepted = 0
    if cap is not None:
        if facts is None:
            raise ValueError("a cap needs the facts its summary is worded from")
        summary = _summarise(unit_of_work, now, cap, facts)
        if summary is not None:
            accepted += _send(unit_of_work, gateway, now, summary)
    with unit_of_work() as uow:
        due = uow.alerts.due(now(), limit)
    for alert in due:
        if _claim(unit_of_work, now, alert, cap):
            accepted += _send(unit_of_work, gateway, now, alert)
    return accepted


def _summarise(
    unit_of_work: UnitOfWorkFactory, now: Callable[[], datetime], cap: AlertCap, facts: ServiceFacts
) -> AlertToSend | None:
    """The summary of the held alerts, claimed by this sender, when the window has room."""
    with unit_of_work() as uow:
        at = now()
        uow.alerts.lock_cap()
        sends = uow.alerts.sends_since(at - cap.window)
        held = uow.alerts.held()
        if not summary_due(cap, sends, at, len(held)):
            uow.commit()  # the pruned sends
            return None
        summary = uow.alerts.add_summary(
            summary_text(facts, held), [h.id for h in held], at, at + SEND_LEASE
        )
        uow.alerts.record_send(summary.id, at)
        uow.commit()
    logger.warning("IRT alerts: %d held back beyond the cap, told of in one summary", len(held))
    return summary


def _claim(
    unit_of_work: UnitOfWorkFactory,
    now: Callable[[], datetime],
    alert: AlertToSend,
    cap: AlertCap | None,
) -> bool:
    """Makes the alert this sender's to send now; under a cap only when the window has room
    (otherwise a first alert is held for the summary, any other waits for the room)."""
    with unit_of_work() as uow:
        at = now()
        if cap is None:
            claimed = uow.alerts.claim(alert.id, at, at + SEND_LEASE)
            uow.commit()
            return claimed
        uow.alerts.lock_cap()
        sends = uow.alerts.sends_since(at - cap.window)
        decided = verdict(cap, sends, at, first_send=alert.first_send, holding=uow.alerts.holding())
        claimed = False
        if decided is Verdict.SEND:
            claimed = uow.alerts.claim(alert.id, at, at + SEND_LEASE)
            if claimed:
                uow.alerts.record_send(alert.id, at)
        elif decided is Verdict.HOLD:
            uow.alerts.hold(alert.id, at)
            logger.warning("IRT alert for contact %s held back beyond the cap", alert.reference)
        else:
            uow.alerts.postpone(alert.id, cap.opens_at(sends, at), at)
        uow.commit()
    return claimed


def _send(
    unit_of_work: UnitOfWorkFactory,
    gateway: AlertGateway,
    now: Callable[[], datetime],
    alert: AlertToSend,
) -> bool:
    """Hands a claimed alert to Twilio and records what came of it."""
    attempts = alert.attempts + 1  # alert.attempts: the tries before this claim
    try:
        sid = gateway.send(alert.reference, alert.body)
    except AlertNotSentError as error:
        with unit_of_work() as uow:
            at = now()
            uow.alerts.not_sent(alert.id, error.code, at, at + retry_delay(attempts))
            uow.alerts.free_send(alert.id)  # it never reached the phone: no place in the cap
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
