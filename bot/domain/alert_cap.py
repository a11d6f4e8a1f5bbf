"""The cap on alerts to the IRT duty phone (issue 19: flood-proof alerts): at most `most`
messages in any `window` (PCL_IRT_ALERT_CAP, e.g. 5 per 10 minutes), whoever floods the line.

Every message handed to Twilio counts: an alert, an alert sent again, a summary. An alert
beyond the cap is not sent on its own: it is held, and when the window next has room one
summary message tells the IRT how many were held since when ("and 57 more significant-harm
contacts flagged since 14:02"), so the IRT is always told. While alerts are held, a new one
joins them rather than overtaking their summary. An alert already sent once (sent again, or
after a failed send) and a summary are never held: they wait for the window's room.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.facts import ServiceFacts


@dataclass(frozen=True)
class AlertCap:
    most: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.most < 1 or self.window <= timedelta(0):
            raise ValueError("an alert cap allows at least one message in a positive window")

    def recent(self, sends: Iterable[datetime], now: datetime) -> list[datetime]:
        """The sends still in the window at `now`, oldest first."""
        return sorted(at for at in sends if now - self.window < at <= now)

    def room(self, sends: Iterable[datetime], now: datetime) -> int:
        """How many more messages may go now."""
        return max(0, self.most - len(self.recent(sends, now)))

    def opens_at(self, sends: Iterable[datetime], now: datetime) -> datetime:
        """When the next message may go: now if there is room, else when enough of the recent
        sends have left the window."""
        recent = self.recent(sends, now)
        if len(recent) < self.most:
            return now
        return recent[len(recent) - self.most] + self.window


@dataclass(frozen=True)
class HeldAlert:
    """An alert held back beyond the cap, waiting for its summary."""

    id: int
    flagged_at: datetime
    from_flood: bool  # its contact was marked as from a flooding source


class Verdict(StrEnum):
    SEND = "send"  # there is room: send it now
    HOLD = "hold"  # a first alert beyond the cap: held for the next summary
    WAIT = "wait"  # sent before, or a summary: sent when the window has room (opens_at)


def verdict(
    cap: AlertCap,
    sends: Sequence[datetime],
    now: datetime,
    *,
    first_send: bool,
    holding: bool,
) -> Verdict:
    """What to do with one alert that is due. `first_send`: never handed to Twilio before
    (and not a summary); `holding`: alerts are held for a summary still to be sent."""
    if first_send and holding:
        return Verdict.HOLD  # it joins the held ones: their summary goes first
    if cap.room(sends, now) > 0:
        return Verdict.SEND
    return Verdict.HOLD if first_send else Verdict.WAIT


def summary_due(cap: AlertCap, sends: Sequence[datetime], now: datetime, held: int) -> bool:
    """Whether the summary of the `held` alerts goes now."""
    return held > 0 and cap.room(sends, now) > 0


def summary_text(facts: ServiceFacts, held: Sequence[HeldAlert]) -> str:
    """The summary of the alerts held back: how many, since when (the first one's flag), and
    how many of them came from a possible flood. No reference or personal detail: the IRT
    queue has them. Plain GSM-7 characters only (no dash), so the SMS is not sent as UCS-2."""
    if not held:
        raise ValueError("a summary tells of at least one held alert")
    local = min(h.flagged_at for h in held).astimezone(facts.zone)
    count = len(held)
    contacts = "contact" if count == 1 else "contacts"
    from_flood = sum(h.from_flood for h in held)
    flood = f", {from_flood} of them from a possible flood" if from_flood else ""
    return (
        f"{facts.council.name} {facts.council.service_name}: and {count} more significant-harm "
        f"{contacts} flagged since {local:%H:%M} on {local:%a %-d %b} (UK time){flood}. "
        "See the IRT queue for them."
    )
