"""The replies to the message that ended a conversation, by message id, for a resend of it.

A conversation that ends is forgotten at once (rasa_ext.forget), so a resend of its last
message (its first reply was lost: the API instance died mid-turn) finds no conversation to be
answered from (rasa_ext.once), and would start a new one: a final "yes" answered with a
greeting instead of the contact's reference. These replies are kept in this process's memory
only, for as long as the API keeps a reply for a resend (15 minutes), and never one that
repeats what the caller wrote. Standard library only: unit-tested outside Rasa.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from bot.domain.privacy import echoes_caller

KEEP_SECONDS = 15 * 60
MOST = 1000

Replies = List[Dict[Text, Any]]


class EndedTurns:
    def __init__(
        self,
        keep_seconds: float = KEEP_SECONDS,
        most: int = MOST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keep = keep_seconds
        self._most = most
        self._clock = clock
        self._replies: "OrderedDict[Text, Tuple[float, Replies]]" = OrderedDict()

    def remember(self, message_id: Text, said: Text, replies: Replies) -> None:
        """Keeps the replies to a conversation's last message (unless one repeats it)."""
        if any(echoes_caller(str(reply.get("text") or ""), said) for reply in replies):
            return
        self._expire()
        self._replies[message_id] = (self._clock(), [dict(reply) for reply in replies])
        self._replies.move_to_end(message_id)
        while len(self._replies) > self._most:
            self._replies.popitem(last=False)

    def replies_for(self, message_id: Text) -> Optional[Replies]:
        self._expire()
        found = self._replies.get(message_id)
        return None if found is None else [dict(reply) for reply in found[1]]

    def __len__(self) -> int:
        self._expire()
        return len(self._replies)

    def _expire(self) -> None:
        cutoff = self._clock() - self._keep
        while self._replies and next(iter(self._replies.values()))[0] < cutoff:
            self._replies.popitem(last=False)
