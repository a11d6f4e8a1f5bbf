"""The IRT alert of a flagged contact over the real stack: flagging one in the web chat, and
what the Twilio stand-in and the records say of its alert."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.domain.irt_alert import STATUS_CALLBACK_PATH, AlertState
from tests.support.chat import WebChat
from tests.support.conversation import (
    CERTAIN_DISCLOSURE,
    Conversation,
    consult,
    contact,
    named_child,
)
from tests.support.stack import Stack
from tests.support.twilio_api import CapturedRequest


def flag_named_child(stack: Stack) -> str:
    """A named-child consultation whose disclosure is flagged at once: its reference."""
    chat = WebChat(stack.api_url)
    try:
        conv = Conversation(chat)
        consult(conv)
        named_child(conv)
        reply = conv.say(CERTAIN_DISCLOSURE)
        assert reply.reference, conv.transcript
        return reply.reference
    finally:
        chat.close()


def tries_for(stack: Stack, reference: str) -> list[CapturedRequest]:
    """Every send of the reference's alert that reached the stand-in (refused ones too)."""
    return [r for r in stack.twilio_api.requests if reference in r.form.get("Body", "")]


def messages_for(stack: Stack, reference: str) -> list[str]:
    """The SIDs of the reference's alerts the stand-in accepted (each one an SMS sent)."""
    return [sid for r, sid in stack.twilio_api.messages if reference in r.form.get("Body", "")]


def alert_of(stack: Stack, reference: str) -> AlertState | None:
    return contact(stack, reference).alert


def callback_url(stack: Stack) -> str:
    return stack.public_base_url + STATUS_CALLBACK_PATH


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def delivered(stack: Stack, reference: str) -> bool:
    alert = alert_of(stack, reference)
    return alert is not None and alert.status == "delivered"
