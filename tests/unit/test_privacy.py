"""The pseudonyms and the echo guard that keep callers' data out of what is stored."""

from __future__ import annotations

import yaml

from bot.adapters.settings import PROJECT_ROOT
from bot.domain import privacy
from bot.domain.consultation import CALLER_SLOTS, CHILD_SLOTS, NAMED_CHILD, SCENARIO
from bot.domain.privacy import (
    RECORDED_CONVERSATION_SLOTS,
    echoes_caller,
    transcript_recorded,
    turn_key,
)

KEY = "k" * 40


def test_a_reply_repeating_the_callers_words_is_caught() -> None:
    said = "Tom told me his uncle visits at night"
    assert echoes_caller(f"You said: {said.upper()}.", said)
    assert echoes_caller("You said: Tom told me his\n uncle visits at night", said)
    assert not echoes_caller("What is the child's full name?", said)
    assert not echoes_caller("Reply 1 for Yes", "yes")  # short answers are not echoes


def test_a_turn_key_is_a_keyed_hash_of_the_conversation_and_the_message_id() -> None:
    key = turn_key(KEY, "web-" + "a" * 32, "message-1234")
    assert len(key) == 64 and int(key, 16) >= 0
    assert "message-1234" not in key
    assert key == turn_key(KEY, "web-" + "a" * 32, "message-1234")
    assert key != turn_key(KEY, "web-" + "b" * 32, "message-1234")  # per conversation
    assert key != turn_key(KEY, "web-" + "a" * 32, "message-1235")
    assert key != turn_key("other" * 8, "web-" + "a" * 32, "message-1234")


def test_a_recorded_conversation_keeps_no_slot_that_holds_what_the_caller_typed() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    assert set(RECORDED_CONVERSATION_SLOTS) <= set(domain["slots"])
    typed = {*CALLER_SLOTS, *CHILD_SLOTS, "concern", "family_aware", "harm_pending"}
    assert typed.isdisjoint(RECORDED_CONVERSATION_SLOTS)
    assert {"contact_reference", "suggested_level", "consultation_done"} <= set(
        RECORDED_CONVERSATION_SLOTS
    )


def test_a_transcript_is_forgotten_once_a_named_childs_consultation_is_saved() -> None:
    assert privacy.NAMED_CHILD == NAMED_CHILD
    done = {"consultation_type": NAMED_CHILD, "contact_reference": "PCL-2026-000001"}
    assert transcript_recorded({**done, "consultation_done": True})
    assert not transcript_recorded(done)  # flagged early: the consultation goes on
    assert not transcript_recorded(
        {**done, "consultation_done": True, "consultation_type": SCENARIO}
    )
