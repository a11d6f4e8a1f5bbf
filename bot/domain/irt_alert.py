"""The text of the SMS alert to the IRT duty phone when a significant-harm contact is flagged
(SPEC rule 7). It carries the reference and the time only: a text message can be read by
anyone holding the phone, so no name, date of birth, address or concern goes in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.facts import ServiceFacts
from bot.domain.messages import urgent_contact_name


def irt_alert_text(
    facts: ServiceFacts, reference: str, immediate_danger: bool, flagged_at: datetime
) -> str:
    local = flagged_at.astimezone(facts.zone)
    what = "immediate danger and significant harm" if immediate_danger else "significant harm"
    # Where the caller was really sent at that moment: out of hours, the Care Line.
    where = urgent_contact_name(facts, flagged_at)
    told = f"to call 999 and {where}" if immediate_danger else f"to call {where} now"
    return (
        f"{facts.council.name} {facts.council.service_name}: {what} contact {reference} "
        f"flagged at {local:%H:%M} on {local:%a %-d %b %Y} (UK time). The caller was told "
        f"{told}. Open {reference} in the IRT queue for the details."
    )


# --- The alert outbox (docs/alert-outbox.md) -------------------------------------------------
# An alert is a row written in the flagged contact's own transaction, then delivered by the
# action server's sender, which retries until Twilio reports it delivered.


class AlertStatus(StrEnum):
    PENDING = "pending"  # to be sent (again) at next_attempt_at
    SENDING = "sending"  # claimed by one sender until next_attempt_at (its lease)
    SENT = "sent"  # accepted by Twilio; sent again unless delivered by next_attempt_at
    DELIVERED = "delivered"  # Twilio's status callback: on the duty phone. Nothing more to do.
    FAILED = "failed"  # Twilio's status callback: undelivered or failed; sent again
    # Beyond the cap on alerts (bot.domain.alert_cap): not sent on its own, but told of in
    # the next summary message (HELD until then, SUMMED once the summary is on its way; the
    # summary's delivery report marks it DELIVERED).
    HELD = "held"
    SUMMED = "summed"


# Not yet delivered: the states a sender may claim once next_attempt_at has come.
UNDELIVERED = (AlertStatus.PENDING, AlertStatus.SENDING, AlertStatus.SENT, AlertStatus.FAILED)

# An alert not on the duty phone two minutes after it was flagged is sent again and shown red.
DELIVERY_DEADLINE = timedelta(minutes=2)
# How long a claimed alert is one sender's: longer than a send with its quick retries takes.
# A sender that dies mid-send (kill -9) leaves the row to another after this.
SEND_LEASE = timedelta(seconds=30)
# The back-off between failed sends: 5 s, 10 s, 20 s, ... never more than two minutes.
FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(minutes=2)
# The API's route for Twilio's status callbacks on the alerts (after PCL_PUBLIC_BASE_URL).
STATUS_CALLBACK_PATH = "/sms/alert-status"
# Twilio's callback statuses this service acts on.
TWILIO_DELIVERED = frozenset({"delivered"})
TWILIO_NOT_DELIVERED = frozenset({"undelivered", "failed"})


def retry_delay(failed_attempts: int) -> timedelta:
    """How long to wait before the next send after `failed_attempts` failures in a row."""
    if failed_attempts < 1:
        return timedelta(0)
    return min(FIRST_RETRY * 2 ** min(failed_attempts - 1, 20), LONGEST_RETRY)


@dataclass(frozen=True)
class AlertState:
    """What the IRT sees of a contact's latest alert."""

    status: str
    attempts: int
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    summed: bool = False  # told of in a summary message, not on its own

    def late(self, now: datetime) -> bool:
        """Not delivered within two minutes of being flagged: shown red, and sent again."""
        return self.status != AlertStatus.DELIVERED and now - self.created_at >= DELIVERY_DEADLINE


@dataclass(frozen=True)
class AlertToSend:
    """An alert a sender may claim: due now, not yet delivered."""

    id: int
    reference: str
    body: str
    status: str
    attempts: int
    summary: bool = False  # the summary of alerts held back, not one contact's alert

    @property
    def first_send(self) -> bool:
        """A contact's alert never yet handed to Twilio: the cap may hold it back."""
        return self.attempts == 0 and not self.summary
