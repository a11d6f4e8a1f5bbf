"""Each turn answered once (bot.services.answered_turns) and the SMS choices kept with its reply
(bot.services.sms_choices), on a store in memory: a repeat gets the first reply and no second
turn, a failure is not kept, a claim left by a delivery that died is taken over, and while the
store is down a turn is still answered. The same against SQLite and over the API:
tests/integration/test_answered_turns.py, test_web_chat_turns.py, test_sms_webhook.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Self

import pytest

from bot.domain.limits import SMS_CHOICES_VALID_FOR
from bot.services.answered_turns import Answered, AnsweredTurns, Turn
from bot.services.sms_choices import OfferedChoices, keep_choices, offered_choices
from bot.services.unit_of_work import AlreadyClaimed, StoreUnavailable, TurnState
from tests.unit.services.memory import InMemoryTransaction

KEY = "k" * 64
SENDER = "sms-" + "s" * 32


class FakeTurnRecords:
    def __init__(self) -> None:
        self.rows: dict[str, TurnState] = {}

    def claim(self, turn_key: str, channel: str, at: datetime) -> None:
        if turn_key in self.rows:
            raise AlreadyClaimed(turn_key)
        self.rows[turn_key] = TurnState(at, None)

    def state(self, turn_key: str) -> TurnState | None:
        return self.rows.get(turn_key)

    def take_over(self, turn_key: str, at: datetime, claimed_before: datetime) -> bool:
        row = self.rows.get(turn_key)
        if row is None or row.reply is not None or row.received_at >= claimed_before:
            return False
        self.rows[turn_key] = TurnState(at, None)
        return True

    def save_reply(self, turn_key: str, reply: str) -> None:
        row = self.rows[turn_key]
        if row.reply is None:
            self.rows[turn_key] = TurnState(row.received_at, reply)

    def release(self, turn_key: str, claimed_at: datetime) -> None:
        row = self.rows.get(turn_key)
        if row is not None and row.reply is None and row.received_at == claimed_at:
            del self.rows[turn_key]

    def purge(self, now: datetime) -> int:
        return 0


class FakeSmsChoices:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[list[str], datetime]] = {}

    def choices_for(self, sender_id: str, now: datetime) -> list[str]:
        choices, at = self.rows.get(sender_id, ([], now))
        return list(choices) if at >= now - SMS_CHOICES_VALID_FOR else []

    def set_choices(self, sender_id: str, payloads: list[str], at: datetime) -> None:
        if payloads:
            self.rows[sender_id] = (list(payloads), at)
        else:
            self.rows.pop(sender_id, None)

    def purge(self, now: datetime) -> int:
        return 0


class FakeTurnsUnitOfWork(InMemoryTransaction):
    """`down` is a database that cannot be reached."""

    turns: FakeTurnRecords
    sms: FakeSmsChoices

    def __init__(self) -> None:
        super().__init__(turns=FakeTurnRecords(), sms=FakeSmsChoices())
        self.down = False

    def __call__(self) -> Self:  # its own factory: every unit of work sees the same store
        return self

    def __enter__(self) -> Self:
        if self.down:
            raise StoreUnavailable()
        return super().__enter__()


class Assistant:
    def __init__(self, replies: list[str | None]) -> None:
        self.replies = replies
        self.turns = 0

    async def __call__(self) -> Answered[str]:
        reply = self.replies[self.turns]
        self.turns += 1
        if reply is None:
            return Answered("(no answer)", kept=None)
        return Answered(reply, kept="kept: " + reply)


@pytest.fixture
def store() -> FakeTurnsUnitOfWork:
    return FakeTurnsUnitOfWork()


def deliver(store: FakeTurnsUnitOfWork, assistant: Assistant, patience: float = 5) -> Turn[str]:
    turns = AnsweredTurns(store)
    return asyncio.run(turns.once(KEY, "sms", assistant, patience=patience))


def test_a_repeat_gets_the_first_reply_and_no_second_turn(store: FakeTurnsUnitOfWork) -> None:
    assistant = Assistant(["Hello"])
    assert deliver(store, assistant) == Turn(answered="Hello")
    assert deliver(store, assistant) == Turn(repeated="kept: Hello")
    assert assistant.turns == 1


def test_a_reply_not_kept_lets_a_repeat_be_answered_afresh(store: FakeTurnsUnitOfWork) -> None:
    assistant = Assistant([None, "Hello"])
    assert deliver(store, assistant) == Turn(answered="(no answer)")
    assert store.committed["turns"].rows == {}
    assert deliver(store, assistant) == Turn(answered="Hello")


def test_a_turn_that_fails_gives_its_claim_back(store: FakeTurnsUnitOfWork) -> None:
    async def broken() -> Answered[str]:
        raise RuntimeError("Rasa fell over")

    with pytest.raises(RuntimeError):
        deliver(store, broken)  # type: ignore[arg-type]
    assert store.committed["turns"].rows == {}


def test_a_claim_left_by_a_delivery_that_died_is_taken_over(store: FakeTurnsUnitOfWork) -> None:
    store.committed["turns"].rows[KEY] = TurnState(datetime.now(UTC) - timedelta(seconds=60), None)
    assistant = Assistant(["Hello"])
    assert deliver(store, assistant) == Turn(answered="Hello")
    assert store.committed["turns"].rows[KEY].reply == "kept: Hello"


def test_while_the_store_is_down_a_turn_is_still_answered(store: FakeTurnsUnitOfWork) -> None:
    store.down = True
    assistant = Assistant(["Hello", "Hello again"])
    assert deliver(store, assistant) == Turn(answered="Hello")
    assert deliver(store, assistant) == Turn(answered="Hello again")


def test_the_choices_offered_are_kept_with_the_reply_and_read_next_time(
    store: FakeTurnsUnitOfWork,
) -> None:
    now = datetime.now(UTC)

    async def with_choices() -> Answered[str]:
        return Answered(
            "1. Named child 2. Scenario", "kept", keep_choices(SENDER, ["/a", "/b"], now)
        )

    asyncio.run(AnsweredTurns(store).once(KEY, "sms", with_choices, patience=5))
    assert offered_choices(store, SENDER, now) == ["/a", "/b"]
    assert offered_choices(store, SENDER, now + SMS_CHOICES_VALID_FOR + timedelta(seconds=1)) == []
    # A reply that offers none (None) leaves the earlier ones; an empty list forgets them.
    assert keep_choices(SENDER, None, now) is None
    forget = keep_choices(SENDER, [], now)
    assert forget is not None
    with store:
        forget(store)
        store.commit()
    assert offered_choices(store, SENDER, now) == []


def test_what_the_answer_reads_comes_with_the_claim_and_only_for_the_answering_delivery(
    store: FakeTurnsUnitOfWork,
) -> None:
    now = datetime.now(UTC)
    with store:
        store.sms.set_choices(SENDER, ["/a", "/b"], now)
        store.commit()
    first, repeat = OfferedChoices(SENDER, now), OfferedChoices(SENDER, now)
    assistant = Assistant(["Hello"])
    turns = AnsweredTurns(store)
    assert asyncio.run(turns.once(KEY, "sms", assistant, patience=5, before=first)).answered
    assert first.payloads == ["/a", "/b"]
    assert asyncio.run(turns.once(KEY, "sms", assistant, patience=5, before=repeat)).repeated
    assert repeat.payloads is None  # a repeat answers nothing, so reads nothing
    store.down = True
    unread = OfferedChoices(SENDER, now)
    assert deliver_with(store, Assistant(["Hi"]), unread) == Turn(answered="Hi")
    assert unread.payloads is None  # not read: the SMS path then reads (and fails) as before


def deliver_with(
    store: FakeTurnsUnitOfWork, assistant: Assistant, before: OfferedChoices
) -> Turn[str]:
    return asyncio.run(
        AnsweredTurns(store).once("other", "sms", assistant, patience=5, before=before)
    )
