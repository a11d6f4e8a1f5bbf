"""The cap on alerts to the IRT duty phone (bot.domain.alert_cap): at most so many messages in
any window, the alerts beyond it held for one summary, and the summary's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.service_file import load_facts
from bot.domain.alert_cap import AlertCap, HeldAlert, Verdict, summary_due, summary_text, verdict

NOW = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
CAP = AlertCap(5, timedelta(minutes=10))


def ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_the_room_is_the_cap_less_the_sends_still_in_the_window() -> None:
    assert CAP.room([], NOW) == 5
    assert CAP.room(ago(1, 2, 3), NOW) == 2
    assert CAP.room(ago(1, 2, 3, 4, 5), NOW) == 0
    assert CAP.room(ago(1, 2, 3, 4, 10), NOW) == 1  # ten minutes ago has left the window
    assert CAP.room(ago(1, 2, 3, 4, 5, 6, 7), NOW) == 0  # never below nothing


def test_a_full_window_opens_when_its_oldest_send_leaves_it() -> None:
    assert CAP.opens_at(ago(1, 2), NOW) == NOW
    assert CAP.opens_at(ago(1, 2, 3, 4, 9), NOW) == NOW + timedelta(minutes=1)
    # Over the cap (a smaller cap since): enough sends must leave for one more to go.
    small = AlertCap(2, timedelta(minutes=10))
    assert small.opens_at(ago(1, 2, 8), NOW) == NOW + timedelta(minutes=8)


@pytest.mark.parametrize(
    ("sends", "first_send", "holding", "expected"),
    [
        (ago(1), True, False, Verdict.SEND),  # room: sent on its own
        (ago(1, 2, 3, 4, 5), True, False, Verdict.HOLD),  # beyond the cap: held
        (ago(1), True, True, Verdict.HOLD),  # others held: it joins their summary
        (ago(1, 2, 3, 4, 5), False, False, Verdict.WAIT),  # sent before: waits, never held
        (ago(1), False, True, Verdict.SEND),  # a resend with room is not held up by a summary
    ],
)
def test_the_verdict_on_a_due_alert(
    sends: list[datetime], first_send: bool, holding: bool, expected: Verdict
) -> None:
    assert verdict(CAP, sends, NOW, first_send=first_send, holding=holding) is expected


def test_the_summary_goes_as_soon_as_the_window_has_room() -> None:
    assert not summary_due(CAP, ago(1, 2, 3, 4, 5), NOW, held=12)
    assert summary_due(CAP, ago(1, 2, 3, 4, 10), NOW, held=12)
    assert not summary_due(CAP, [], NOW, held=0)


def test_the_summary_says_how_many_since_when_and_how_many_from_a_possible_flood() -> None:
    facts = load_facts()
    held = [
        HeldAlert(1, datetime(2026, 11, 26, 14, 2, tzinfo=UTC), from_flood=True),
        HeldAlert(2, datetime(2026, 11, 26, 14, 5, tzinfo=UTC), from_flood=False),
        HeldAlert(3, datetime(2026, 11, 26, 14, 9, tzinfo=UTC), from_flood=True),
    ]
    text = summary_text(facts, held)
    assert "and 3 more significant-harm contacts flagged since 14:02 on Thu 26 Nov" in text
    assert "2 of them from a possible flood" in text and "See the IRT queue" in text
    assert text.startswith(facts.council.name)
    assert text.isascii()  # GSM-7: no dash that would make it a UCS-2 message
    one = summary_text(facts, held[1:2])
    assert "and 1 more significant-harm contact flagged" in one and "flood" not in one


def test_a_cap_allows_at_least_one_message() -> None:
    with pytest.raises(ValueError, match="at least one"):
        AlertCap(0, timedelta(minutes=10))
