"""Pseudonymous identifiers: what logs and keys carry instead of a person's data."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any


def keyed_hash(key: str, value: str) -> str:
    """HMAC-SHA256 of `value` as hex: stable for one key, meaningless without it."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def log_id(key: str, conversation_id: str) -> str:
    """A short pseudonym for a conversation in logs; it cannot be turned back into the cookie."""
    return keyed_hash(key, "log:" + conversation_id)[:12]


def sms_sender_id(key: str, phone_number: str) -> str:
    """The conversation key of an SMS sender: a keyed hash of the number, never the number."""
    return "sms-" + keyed_hash(key, "sms:" + phone_number.strip())[:32]


def turn_key(key: str, sender_id: str, message_id: str) -> str:
    """The key of one turn in the answered-turns store: a keyed hash of the conversation's
    pseudonymous id and the message's id (the web page's, or Twilio's MessageSid), never
    either of them as sent."""
    return keyed_hash(key, f"turn:{sender_id}:{message_id}")


def echoes_caller(reply: str, said: str, min_chars: int = 12) -> bool:
    """Whether a reply repeats what the caller wrote (12 characters or more): such a reply is
    never kept, as what a caller wrote is not kept after a scenario ends (SPEC rule 5)."""
    said = " ".join(said.split()).casefold()
    return len(said) >= min_chars and said in " ".join(reply.split()).casefold()


# bot.domain.consultation.NAMED_CHILD, not imported: Rasa's environment (rasa_ext) lacks what
# that module needs (tests/unit/test_privacy.py checks they agree).
NAMED_CHILD = "named_child"

# A named-child conversation whose contact is saved keeps only these slots in Rasa's tracker
# store (rasa_ext.forget.forget_recorded_transcript): none holds what the caller typed, and
# they are all the rest of the conversation reads (the reference, the level, the feedback).
RECORDED_CONVERSATION_SLOTS = (
    "role_type",
    "channel",
    "line_open",
    "consultation_type",
    "child_in_city",
    "child_open_to_csc",
    "significant_harm",
    "immediate_danger",
    "harm_categories",
    "contact_reference",
    "suggested_level",
    "consultation_done",
    "topic",
    "misunderstood",
)


def transcript_recorded(slots: Mapping[str, Any]) -> bool:
    """Whether a conversation's named-child consultation is over and saved as a contact (the
    contact, encrypted, is then the only copy of what the caller typed)."""
    return bool(
        slots.get("consultation_type") == NAMED_CHILD
        and slots.get("contact_reference")
        and slots.get("consultation_done")
    )
