"""Deleting a conversation from Rasa's tracker store, which Rasa 3.6 has no call for.

A conversation is forgotten when it ends (the action sets the `forget_conversation` slot) or
when it has been idle longer than the session expiry. A named-child conversation whose contact
is saved has its transcript forgotten at once (forget_recorded_transcript): the contact,
encrypted, is the record; the conversation goes on with a few slots that hold nothing typed.

Replacing a tracker's events through the HTTP API would leave the old rows of the SQL store in
place, so the rows themselves go.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, List, Optional, Text

from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.domain.privacy import RECORDED_CONVERSATION_SLOTS, transcript_recorded

logger = logging.getLogger(__name__)

FORGET_SLOT = "forget_conversation"


def _innermost(store: Any) -> TrackerStore:
    # The agent wraps the configured store (FailSafeTrackerStore, AwaitableTrackerStore).
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


async def delete_conversation(store: Any, sender_id: Text) -> None:
    """Remove every stored event of one conversation; refuse a store it cannot empty."""
    inner = _innermost(store)
    if isinstance(inner, InMemoryTrackerStore):
        inner.store.pop(sender_id, None)
    elif isinstance(inner, SQLTrackerStore):
        with inner.session_scope() as session:
            session.query(inner.SQLEvent).filter(inner.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False
            )
            session.commit()
    elif isinstance(inner, RedisTrackerStore):
        inner.red.delete(inner.key_prefix + sender_id)
    else:
        raise TypeError(f"cannot delete conversations from a {type(inner).__name__}")


async def forget_if_ended(
    store: Any, sender_id: Text, saved: Optional[DialogueStateTracker] = None
) -> bool:
    """After a turn: delete the conversation if an action marked it as ended. `saved`: the
    tracker the turn saved, if it is known (else the conversation is retrieved)."""
    tracker = saved if saved is not None else await store.retrieve(sender_id)
    if tracker is None or not tracker.get_slot(FORGET_SLOT):
        return False
    await delete_conversation(store, sender_id)
    return True


def recorded_events(tracker: DialogueStateTracker) -> List[Event]:
    """The events a recorded conversation keeps: a session start, the kept slots' values, and
    its last turn (what a resend of the last message is answered from, and the buttons it
    offered) with the caller's text and every other slot left out."""
    events = list(tracker.events)
    starts = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    last_turn = events[starts[-1] :] if starts else []
    at = last_turn[0].timestamp if last_turn else time.time()
    kept: List[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=at),
        SessionStarted(timestamp=at),
        *(
            SlotSet(name, tracker.get_slot(name), timestamp=at)
            for name in RECORDED_CONVERSATION_SLOTS
            if tracker.get_slot(name) is not None
        ),
        ActionExecuted(ACTION_LISTEN_NAME, timestamp=at),
    ]
    for event in last_turn:
        if isinstance(event, UserUttered):
            kept.append(_untyped(event))
        elif not (isinstance(event, SlotSet) and event.key not in RECORDED_CONVERSATION_SLOTS):
            kept.append(event)
    return kept


def _untyped(said: UserUttered) -> UserUttered:
    """The caller's message without what they typed: its intent and message id only."""
    intent = {"name": said.intent_name, "confidence": 1.0} if said.intent_name else {}
    return UserUttered(
        text=None,
        intent=intent,
        parse_data={"intent": intent, "entities": []},  # type: ignore[typeddict-item]
        timestamp=said.timestamp,
        input_channel=said.input_channel,
        message_id=said.message_id,
        metadata=said.metadata,
    )


async def forget_recorded_transcript(
    agent: Any, sender_id: Text, saved: Optional[DialogueStateTracker] = None
) -> bool:
    """After a turn: if the conversation's named-child contact is saved, replace its stored
    events with `recorded_events` (under the conversation's lock, so no turn runs between
    the delete and the save). Returns whether it did."""
    store = agent.tracker_store
    if saved is not None and not transcript_recorded(saved.current_slot_values()):
        return False
    async with agent.lock_store.lock(sender_id):
        tracker = await store.retrieve(sender_id)
        if tracker is None or not transcript_recorded(tracker.current_slot_values()):
            return False
        kept = tracker.init_copy()
        for event in recorded_events(tracker):
            kept.update(event)
        await delete_conversation(store, sender_id)
        await store.save(kept)
    return True


async def forget_idle(store: Any, idle_seconds: float) -> int:
    """Delete every conversation idle for longer than `idle_seconds`; returns how many."""
    cutoff = time.time() - idle_seconds
    forgotten = 0
    for sender_id in list(await store.keys()):
        if isinstance(sender_id, bytes):  # Redis keys carry the store's prefix
            continue
        tracker = await store.retrieve(sender_id)
        if tracker is None or not tracker.events:
            continue
        if tracker.events[-1].timestamp < cutoff:
            await delete_conversation(store, sender_id)
            forgotten += 1
    return forgotten


async def sweep_forever(
    get_store: Callable[[], Any], idle_seconds: float, every_seconds: float
) -> None:
    while True:
        await asyncio.sleep(every_seconds)
        try:
            count = await forget_idle(get_store(), idle_seconds)
            if count:
                logger.info("forgot %d idle conversations", count)
        except Exception as error:  # keep sweeping; the type says what failed, no content
            logger.error("idle sweep failed: %s", type(error).__name__)
