"""The pseudonyms and the echo guard that keep callers' data out of what is stored."""

from __future__ import annotations

from bot.domain.privacy import echoes_caller, turn_key

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
