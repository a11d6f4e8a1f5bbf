"""Ending a conversation forgets it: the slot below tells the Rasa server's project channel
(rasa_ext/channel.py) to delete the conversation's tracker once the turn is over. The contact
record, not the transcript, is the system of record; a scenario leaves only its statistic."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

FORGET_SLOT = "forget_conversation"


def forget_conversation() -> list[EventType]:
    return [SlotSet(FORGET_SLOT, True)]
