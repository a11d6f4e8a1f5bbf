"""What the SMS channel keeps between deliveries besides the answered turns
(bot.adapters.db.answered_turns): the numbered choices last offered to each sender. The only code
that touches the `sms_conversations` table; the caller owns the transaction.

Nothing here holds a phone number or a caller's words: senders are keyed hashes, and choices
the payloads of the assistant's own buttons.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from bot.adapters.db.models import SmsConversation
from bot.domain.limits import SMS_CHOICES_VALID_FOR

# Rasa forgets an idle conversation after an hour; a "1" after that answers nothing.
CHOICES_VALID_FOR = SMS_CHOICES_VALID_FOR
# Read and written on every SMS turn: SQLAlchemy Core statements on the table, built once, as
# the answered turns' are.
_CHOICES = SmsConversation.__table__
_MINE = _CHOICES.c.sender_id == bindparam("sender")
_READ = select(_CHOICES.c.choices, _CHOICES.c.updated_at).where(_MINE)
_FORGET = delete(_CHOICES).where(_MINE)
_CHANGE = (
    update(_CHOICES)
    .where(_MINE)
    .values(choices=bindparam("new_choices"), updated_at=bindparam("at"))
)
_ADD = insert(_CHOICES)


class SmsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def choices_for(self, sender_id: str, now: datetime) -> list[str]:
        """The payloads of the choices last offered, in order; empty when none are current."""
        row = self._session.execute(_READ, {"sender": sender_id}).one_or_none()
        if row is None or row.updated_at < now - CHOICES_VALID_FOR:
            return []
        return [str(payload) for payload in row.choices]

    def set_choices(self, sender_id: str, payloads: list[str], at: datetime) -> None:
        """Remembers the choices just offered; an empty list forgets them (a reply without
        buttons means a number is an ordinary answer again)."""
        if not payloads:
            self._session.execute(_FORGET, {"sender": sender_id})
            return
        choices = list(payloads)
        changed = self._session.execute(
            _CHANGE, {"sender": sender_id, "new_choices": choices, "at": at}
        )
        if not getattr(changed, "rowcount", 0):
            self._session.execute(
                _ADD, {"sender_id": sender_id, "choices": choices, "updated_at": at}
            )

    def purge(self, now: datetime) -> int:
        """Deletes choices no longer valid; returns how many rows went."""
        result = self._session.execute(
            delete(SmsConversation).where(SmsConversation.updated_at < now - CHOICES_VALID_FOR)
        )
        return getattr(result, "rowcount", 0) or 0
