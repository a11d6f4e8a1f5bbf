"""What the SMS channel keeps between deliveries besides the answered turns
(bot.adapters.db.answered_turns): the numbered choices last offered to each sender. The only code
that touches the `sms_conversations` table; the caller owns the transaction.

Nothing here holds a phone number or a caller's words: senders are keyed hashes, and choices
the payloads of the assistant's own buttons.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.adapters.db.models import SmsConversation
from bot.domain.limits import SMS_CHOICES_VALID_FOR

# Rasa forgets an idle conversation after an hour; a "1" after that answers nothing.
CHOICES_VALID_FOR = SMS_CHOICES_VALID_FOR


class SmsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def choices_for(self, sender_id: str, now: datetime) -> list[str]:
        """The payloads of the choices last offered, in order; empty when none are current."""
        row = self._session.get(SmsConversation, sender_id)
        if row is None or row.updated_at < now - CHOICES_VALID_FOR:
            return []
        return [str(payload) for payload in row.choices]

    def set_choices(self, sender_id: str, payloads: list[str], at: datetime) -> None:
        """Remembers the choices just offered; an empty list forgets them (a reply without
        buttons means a number is an ordinary answer again)."""
        row = self._session.get(SmsConversation, sender_id)
        if not payloads:
            if row is not None:
                self._session.delete(row)
        elif row is None:
            self._session.add(SmsConversation(sender_id=sender_id, choices=payloads, updated_at=at))
        else:
            row.choices = list(payloads)
            row.updated_at = at
        self._session.flush()

    def purge(self, now: datetime) -> int:
        """Deletes choices no longer valid; returns how many rows went."""
        result = self._session.execute(
            delete(SmsConversation).where(SmsConversation.updated_at < now - CHOICES_VALID_FOR)
        )
        return getattr(result, "rowcount", 0) or 0
