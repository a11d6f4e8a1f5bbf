"""Deleting a conversation from Rasa's tracker store, which Rasa 3.6 has no call for.

A conversation is forgotten when it ends (the action sets the `forget_conversation` slot) or
when it has been idle longer than the session expiry. Replacing a tracker's events through the
HTTP API would leave the old rows of the SQL store in place, so the rows themselves go.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Optional, Text

from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.trackers import DialogueStateTracker

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
