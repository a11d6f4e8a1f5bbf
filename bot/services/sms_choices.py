"""The numbered choices an SMS conversation was last offered (a reply of "2" picks the second
button): read in the transaction that claims the turn (`OfferedChoices`, or `offered_choices`
on its own), and kept with the turn's reply in the same transaction
(bot.services.answered_turns). Used by api/sms_turns.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.services.answered_turns import PURGE_EVERY_SECONDS, Throttle
from bot.services.unit_of_work import TurnsUnitOfWork

# Nothing else deletes expired choices; once a minute per process is often enough.
_PURGE = Throttle(PURGE_EVERY_SECONDS)


def offered_choices(uow: TurnsUnitOfWork, sender_id: str, at: datetime) -> list[str]:
    """The payloads behind the numbers last offered to this sender, while they are current."""
    if _PURGE.due():
        with uow:
            uow.sms.purge(at)
            uow.commit()
    with uow:
        return uow.sms.choices_for(sender_id, at)


class OfferedChoices:
    """The choices last offered to a sender, read in the transaction that claims its turn
    (`AnsweredTurns.once(before=...)`), saving the SMS turn a trip to the store of its own.
    `payloads` stays None when it was not read (the turn was answered without the store)."""

    def __init__(self, sender_id: str, at: datetime) -> None:
        self.sender_id = sender_id
        self.at = at
        self.payloads: list[str] | None = None

    def __call__(self, uow: TurnsUnitOfWork) -> None:
        if _PURGE.due():
            uow.sms.purge(self.at)  # committed with the claim
        self.payloads = uow.sms.choices_for(self.sender_id, self.at)


def keep_choices(
    sender_id: str, choices: list[str] | None, at: datetime
) -> Callable[[TurnsUnitOfWork], None] | None:
    """What saves the choices just offered with the kept reply (`Answered.also`); None leaves
    the earlier ones in place."""
    if choices is None:
        return None
    return lambda uow: uow.sms.set_choices(sender_id, choices, at)
