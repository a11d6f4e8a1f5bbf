"""Turns being or already answered, for both channels: a repeat of a message (the web page's
Retry with the same message id, Twilio's retry of a MessageSid) gets the first delivery's reply
and no second turn. The only code that touches the `answered_turns` table; the caller owns the
transaction.

Nothing here holds a conversation's or a message's id as sent (keys are bot.domain.privacy.turn_key,
a keyed hash) or a caller's words (replies are the assistant's own, and one that repeats what
the caller wrote is never given to `save_reply`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.adapters.db.models import AnsweredTurn
from bot.domain.limits import REPLY_KEPT_FOR
from bot.services.unit_of_work import AlreadyClaimed, TurnState

KEEP_FOR = REPLY_KEPT_FOR
__all__ = ["KEEP_FOR", "AlreadyClaimed", "AnsweredTurnRepository", "TurnState"]

# Every SMS turn and every resendable web turn runs these statements, so they are SQLAlchemy
# Core on the table (no ORM flush, identity map or bulk-update bookkeeping: about half the
# CPU of the ORM forms), and the two every turn runs are built once. Same SQL, same types.
_TURNS = AnsweredTurn.__table__
_CLAIM = insert(_TURNS)
_SAVE_REPLY = (
    update(_TURNS)
    .where(_TURNS.c.turn_key == bindparam("key"), _TURNS.c.reply.is_(None))
    .values(reply=bindparam("new_reply"))
)


class AnsweredTurnRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, turn_key: str, channel: str, at: datetime) -> None:
        """Marks a turn as being answered; raises AlreadyClaimed when it already is.

        The primary key decides between two concurrent deliveries; the loser's transaction is
        spoiled by the failed insert, so the caller must roll it back (leaving its unit of
        work by the exception does)."""
        try:
            self._session.execute(
                _CLAIM, {"turn_key": turn_key, "channel": channel, "received_at": at}
            )
        except IntegrityError as error:
            raise AlreadyClaimed(turn_key) from error

    def state(self, turn_key: str) -> TurnState | None:
        """The claim and its reply; None for a turn nobody is answering (or has answered)."""
        row = self._session.execute(
            select(_TURNS.c.received_at, _TURNS.c.reply).where(_TURNS.c.turn_key == turn_key)
        ).one_or_none()
        return None if row is None else TurnState(received_at=row[0], reply=row[1])

    def reply_for(self, turn_key: str) -> str | None:
        """The stored reply; None while the turn is still being answered (or is unknown)."""
        state = self.state(turn_key)
        return None if state is None else state.reply

    def take_over(self, turn_key: str, at: datetime, claimed_before: datetime) -> bool:
        """Claims an unanswered turn whose claim is older than `claimed_before` (the delivery
        answering it died, or gave up); True when this caller now answers it. Of two callers
        taking over at once, one wins: the row's claim time is the test and the change."""
        result = self._session.execute(
            update(_TURNS)
            .where(
                _TURNS.c.turn_key == turn_key,
                _TURNS.c.reply.is_(None),
                _TURNS.c.received_at < claimed_before,
            )
            .values(received_at=at)
        )
        return (getattr(result, "rowcount", 0) or 0) == 1

    def save_reply(self, turn_key: str, reply: str) -> None:
        """Keeps the reply for repeats (the first answer kept wins)."""
        self._session.execute(_SAVE_REPLY, {"key": turn_key, "new_reply": reply})

    def release(self, turn_key: str, claimed_at: datetime) -> None:
        """Forgets an unanswered claim made at `claimed_at`, so that a repeat is answered
        afresh; a claim taken over since, or answered, stays."""
        self._session.execute(
            delete(_TURNS).where(
                _TURNS.c.turn_key == turn_key,
                _TURNS.c.reply.is_(None),
                _TURNS.c.received_at == claimed_at,
            )
        )

    def purge(self, now: datetime) -> int:
        """Deletes the turns a repeat no longer needs; returns how many went."""
        result = self._session.execute(delete(_TURNS).where(_TURNS.c.received_at < now - KEEP_FOR))
        return getattr(result, "rowcount", 0) or 0
