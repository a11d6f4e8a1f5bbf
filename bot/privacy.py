"""Pseudonymous identifiers: what logs and keys carry instead of a person's data."""

from __future__ import annotations

import hashlib
import hmac


def keyed_hash(key: str, value: str) -> str:
    """HMAC-SHA256 of `value` as hex: stable for one key, meaningless without it."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def log_id(key: str, conversation_id: str) -> str:
    """A short pseudonym for a conversation in logs; it cannot be turned back into the cookie."""
    return keyed_hash(key, "log:" + conversation_id)[:12]


def sms_sender_id(key: str, phone_number: str) -> str:
    """The conversation key of an SMS sender: a keyed hash of the number, never the number."""
    return "sms-" + keyed_hash(key, "sms:" + phone_number.strip())[:32]
