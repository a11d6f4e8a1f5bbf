"""Each turn answered once, however often it arrives, for both channels: the web page resends a
message with the same id when its reply was lost (the Retry button), and Twilio retries a
MessageSid it got no answer for.

The first delivery claims the turn in the database (so every API instance sees the claim),
answers it and keeps the reply; a repeat gets the kept reply and no second turn; a concurrent
repeat waits for the first one's reply. A claim left unanswered for longer than a turn can take
(its API instance died) is taken over by a repeat, which asks Rasa again with the same message
id: Rasa's channel (rasa_ext.once) answers a message id its conversation already holds with the
replies it gave then (or, for the message that ended and so forgot the conversation, from its
memory: rasa_ext.ended_turns), so a turn Rasa applied is not applied twice.

While the records database cannot be reached (a restart, a failover), a turn is answered
without the store, as before it existed: Rasa's channel still takes each message id once.

The use case for both channels (api/routes/chat.py, api/sms_turns.py); the store is the
`TurnsUnitOfWork` port (bot.adapters.db.unit_of_work.SqlAlchemyTurnsUnitOfWork).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.domain.clock import SystemClock
from bot.services.unit_of_work import (
    AlreadyClaimed,
    StoreUnavailable,
    TurnsUnitOfWork,
    TurnsUnitOfWorkFactory,
)

logger = logging.getLogger("api.turns")

T = TypeVar("T")

# Retries and the purge run on real time, even when PCL_NOW fixes the service's clock.
_REAL_TIME = SystemClock()
POLL_SECONDS = 0.2
PURGE_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class Answered(Generic[T]):
    """A first delivery's answer: `result` for this delivery, `kept` for its repeats (None
    keeps nothing and drops the claim, so that a repeat is answered afresh), and `also`, more
    to save in the transaction that keeps the reply."""

    result: T
    kept: str | None
    also: Callable[[TurnsUnitOfWork], object] | None = None


@dataclass(frozen=True)
class Turn(Generic[T]):
    """What became of one delivery: `answered` by it, or `repeated` (the first delivery's kept
    reply); neither when the first delivery did not answer in time."""

    answered: T | None = None
    repeated: str | None = None


@dataclass(frozen=True)
class _Claimed:
    at: datetime


class Throttle:
    """True at most once per `every_seconds` (per process: it lives in the app's services)."""

    def __init__(self, every_seconds: float) -> None:
        self._every = every_seconds
        self._next = 0.0
        self._lock = threading.Lock()

    def due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                return False
            self._next = now + self._every
            return True


class AnsweredTurns:
    def __init__(self, unit_of_work: TurnsUnitOfWorkFactory) -> None:
        self._unit_of_work = unit_of_work
        # Nothing else deletes these rows; once a minute is often enough for a 15-minute store.
        self.purge_throttle = Throttle(PURGE_EVERY_SECONDS)

    async def once(
        self,
        turn_key: str,
        channel: str,
        answer: Callable[[], Awaitable[Answered[T]]],
        *,
        patience: float,
        log_id: str = "-",
        before: Callable[[TurnsUnitOfWork], object] | None = None,
    ) -> Turn[T]:
        """Answers the turn with `answer()` unless another delivery has or is answering it.
        `patience` is the longest a delivery takes to answer; a repeat waits that long for the
        first one's reply, and takes over a claim older than that. `before`, more to do in the
        transaction that claims the turn (what the answer needs to read), runs only when this
        delivery answers and the store is there: one trip to the store instead of two."""
        deadline = time.monotonic() + patience + 1
        while True:
            try:
                claim = await asyncio.to_thread(self._claim, turn_key, channel, patience, before)
            except StoreUnavailable as error:
                _store_unavailable(channel, log_id, error)
                return Turn(answered=(await answer()).result)
            if isinstance(claim, _Claimed):
                break
            if claim is not None:
                logger.info("%s turn repeated conversation=%s", channel, log_id)
                return Turn(repeated=claim)
            if time.monotonic() >= deadline:
                logger.warning("%s first delivery unanswered conversation=%s", channel, log_id)
                return Turn()
            await asyncio.sleep(POLL_SECONDS)
        try:
            answered = await answer()
        except BaseException:
            # Unanswered: let a repeat have its turn.
            try:
                await asyncio.to_thread(self._release, turn_key, claim.at)
            except StoreUnavailable as error:  # a repeat takes the claim over in time
                _store_unavailable(channel, log_id, error)
            raise
        try:
            await asyncio.to_thread(self._finish, turn_key, claim.at, answered)
        except StoreUnavailable as error:  # as above; the caller still gets the answer
            _store_unavailable(channel, log_id, error)
        return Turn(answered=answered.result)

    # --- the store, called in a worker thread ------------------------------------------------

    def _claim(
        self,
        turn_key: str,
        channel: str,
        patience: float,
        before: Callable[[TurnsUnitOfWork], object] | None = None,
    ) -> _Claimed | str | None:
        """Claimed, the kept reply, or None while another delivery answers it."""
        now = _REAL_TIME.now()
        if self.purge_throttle.due():
            with self._unit_of_work() as uow:
                uow.turns.purge(now)
                uow.commit()
        try:
            with self._unit_of_work() as uow:
                uow.turns.claim(turn_key, channel, now)
                if before is not None:
                    before(uow)
                uow.commit()
            return _Claimed(now)
        except AlreadyClaimed:
            pass
        with self._unit_of_work() as uow:
            state = uow.turns.state(turn_key)
            if state is None:  # released in the meantime: claim it on the next round
                return None
            if state.reply is not None:
                return state.reply
            if uow.turns.take_over(turn_key, now, now - timedelta(seconds=patience)):
                if before is not None:
                    before(uow)
                uow.commit()
                logger.warning("%s unanswered claim taken over", channel)
                return _Claimed(now)
            return None

    def _finish(self, turn_key: str, claimed_at: datetime, answered: Answered[T]) -> None:
        with self._unit_of_work() as uow:
            if answered.kept is None:
                uow.turns.release(turn_key, claimed_at)
            else:
                uow.turns.save_reply(turn_key, answered.kept)
            if answered.also is not None:
                answered.also(uow)
            uow.commit()

    def _release(self, turn_key: str, claimed_at: datetime) -> None:
        with self._unit_of_work() as uow:
            uow.turns.release(turn_key, claimed_at)
            uow.commit()


def _store_unavailable(channel: str, log_id: str, error: Exception) -> None:
    cause = type(error.__cause__ or error).__name__  # the driver's error, say OperationalError
    logger.warning("%s answered turns unavailable (%s) conversation=%s", channel, cause, log_id)
