"""A message taken at most once per conversation: the API sends each turn with a message id
(a keyed hash, bot.privacy.turn_key) and sends the same id again when it did not get, or lost,
the reply (its process died mid-turn, or it gave up waiting). A message id the conversation
already holds is answered with the bot messages that followed it then, and not taken again.

The check and the turn run under the conversation's lock (Rasa's lock store: Redis in
production), so a resend waits for a first delivery still being processed and then finds it.
A first delivery that left no bot message (a part of the stack failed mid-turn) is taken again,
as a resend without an id would be.

A conversation that ended is forgotten (rasa_ext.forget): the replies to its last message are
kept a while in this process's memory instead (rasa_ext.ended_turns).
"""

from __future__ import annotations

from typing import Any, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext.ended_turns import EndedTurns
from rasa_ext.offered import only_offered_payloads
from rasa_ext.whole_turn import Turn, current_turn, whole_turns


def earlier_replies(
    tracker: Optional[DialogueStateTracker], message_id: Text
) -> Optional[List[BotUttered]]:
    """The bot messages that followed the last user message with this id; None when the
    conversation has no such message, or it had no reply."""
    if tracker is None:
        return None
    events = list(tracker.events)
    starts = [
        i
        for i, event in enumerate(events)
        if isinstance(event, UserUttered) and event.message_id == message_id
    ]
    if not starts:
        return None
    uttered: List[BotUttered] = []
    for event in events[starts[-1] + 1 :]:
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            uttered.append(event)
    return uttered or None


async def replay(
    uttered: List[BotUttered], sender_id: Text, collector: CollectingOutputChannel
) -> None:
    """Gives the bot messages again through the collector, exactly as the turn gave them."""
    for event in uttered:
        await collector.send_response(sender_id, event.message())


async def handle_once(
    agent: Any, message: UserMessage, ended: EndedTurns
) -> Optional[DialogueStateTracker]:
    """Agent.handle_message, taking a message id the conversation already holds (or that
    ended it) only once: its earlier replies go to the message's collecting channel instead.
    A turn in which an action failed is not kept (rasa_ext.whole_turn). Returns the tracker
    the turn saved (None when no turn was taken)."""
    if not agent.is_ready():
        return None
    async with agent.lock_store.lock(message.sender_id):
        replies = ended.replies_for(message.message_id)
        if replies is not None:
            message.output_channel.messages.extend(replies)
            return None
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        uttered = earlier_replies(tracker, message.message_id)
        if uttered is not None:
            await replay(uttered, message.sender_id, message.output_channel)
            return None
        message.text = only_offered_payloads(message.text, tracker)
        turn = Turn(message.sender_id, tracker)  # the processor takes this tracker
        token = current_turn.set(turn)
        try:
            await whole_turns(agent.processor).handle_message(message)
        finally:
            current_turn.reset(token)
        return turn.saved
