"""The replies to a conversation's last message, kept a while in Rasa's memory for a resend
after the conversation was forgotten (rasa_ext.ended_turns; standard library only)."""

from __future__ import annotations

from rasa_ext.ended_turns import EndedTurns

CLOSING = [
    {
        "recipient_id": "web-1",
        "text": "Thank you. Your consultation is recorded as PCL-2026-000001.",
    }
]


def test_the_replies_are_given_again_by_message_id_for_15_minutes() -> None:
    now = [0.0]
    ended = EndedTurns(clock=lambda: now[0])
    ended.remember("a" * 64, "yes", CLOSING)
    assert ended.replies_for("a" * 64) == CLOSING
    assert ended.replies_for("b" * 64) is None
    now[0] += 15 * 60 - 1
    assert ended.replies_for("a" * 64) == CLOSING
    now[0] += 2
    assert ended.replies_for("a" * 64) is None
    assert len(ended) == 0


def test_replies_that_repeat_what_the_caller_wrote_are_never_kept() -> None:
    ended = EndedTurns()
    said = "Marker-1b2c my pupil told me something"
    ended.remember("a" * 64, said, [{"text": f"You said: {said}"}])
    assert ended.replies_for("a" * 64) is None


def test_only_the_most_recent_are_kept_and_a_copy_is_given() -> None:
    ended = EndedTurns(most=2)
    for key in ("a", "b", "c"):
        ended.remember(key * 64, "yes", CLOSING)
    assert ended.replies_for("a" * 64) is None
    assert len(ended) == 2
    given = ended.replies_for("c" * 64) or []
    given[0]["text"] = "changed"
    assert ended.replies_for("c" * 64) == CLOSING
