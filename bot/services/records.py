"""The assistant's records: a contact (created once per turn, or completed) with the statistic
it counts and, for a flagged one, its alert to the IRT duty phone; and a statistic on its own.
Each in one transaction, so that a contact is never recorded without its count or its alert,
nor counted or alerted without being recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Protocol

from bot.domain.contact import NewContact
from bot.domain.statistics import StatEntry
from bot.services.unit_of_work import UnitOfWork


class FloodMeter(Protocol):
    """Counts each client's newly flagged contacts (bot.adapters.rate_limits.FlagAllowance)."""

    def beyond_allowance(self, client: str) -> bool:
        """Counts one newly flagged contact from `client` (a keyed hash of its address, or of
        the SMS sender; never the address); True once the client is beyond its allowance."""
        ...


@dataclass(frozen=True)
class FlaggedBy:
    """Who flagged a contact just now: the client's keyed hash and the meter counting it."""

    client: str
    meter: FloodMeter


def record_contact(
    uow: UnitOfWork,
    contact: NewContact,
    *,
    reference: str | None,
    origin: str,
    counted: StatEntry | None = None,
    alert: Callable[[str], str] | None = None,
    flagged_by: FlaggedBy | None = None,
) -> str:
    """Creates the contact (once per `origin`: a turn run twice records one contact), or
    completes the one created earlier under `reference`; counts `counted` with it; and queues
    the IRT alert worded by `alert(reference)` (once per `origin`) in the same transaction, for
    the sender (bot.services.alert_outbox) to deliver. A contact flagged now (`flagged_by`) by
    a client beyond its allowance is marked as from a flooding source, in the same
    transaction: kept, but sorted after the others. Returns the contact's reference."""
    flooding = flagged_by is not None and flagged_by.meter.beyond_allowance(flagged_by.client)
    with uow:
        if reference is None:
            reference = uow.contacts.create(contact, origin, flooding_source=flooding)
        else:
            # Completing an early contact: every answer now known, but not its creation time.
            changes = {f.name: getattr(contact, f.name) for f in fields(contact)}
            del changes["created_at"]
            uow.contacts.update(reference, **changes)
            if flooding:
                uow.contacts.mark_flooding_source(reference)
        if counted is not None:
            uow.statistics.add(counted)
        if alert is not None:
            uow.alerts.add(reference, alert(reference), origin)
        uow.commit()
    return reference


def count(uow: UnitOfWork, *entries: StatEntry) -> None:
    """Adds anonymous statistics (a day, an hour, a channel and categories only)."""
    with uow:
        for entry in entries:
            uow.statistics.add(entry)
        uow.commit()
