"""Conversation start: the line's hours are judged once, when the conversation begins."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions.services import Services
from actions.session import ActionSessionStart
from bot.domain.statistics import StatEvent
from tests.unit.actions.conftest import (
    CLOSED_IRT_OPEN,
    OPEN,
    OUT_OF_HOURS,
    run,
    stat_count,
    tracker,
)


@pytest.mark.parametrize(
    ("moment", "line_open"), [(OPEN, True), (CLOSED_IRT_OPEN, False), (OUT_OF_HOURS, False)]
)
def test_the_session_starts_with_the_channel_and_whether_the_line_is_open(
    at: Callable[[str], Services], moment: str, line_open: bool
) -> None:
    at(moment)
    events, sent = run(ActionSessionStart(), tracker())
    assert events == [
        SessionStarted(),
        SlotSet("channel", "web"),
        SlotSet("line_open", line_open),
        ActionExecuted("action_listen"),
    ]
    assert sent == []
    assert stat_count(StatEvent.CONVERSATION_STARTED) == 1
    assert stat_count(StatEvent.CLOSED_ATTEMPT) == (0 if line_open else 1)


@pytest.mark.parametrize(
    ("metadata", "channel"),
    [({"channel": "sms"}, "sms"), ({"channel": "fax"}, "web"), ("nonsense", "web"), (None, "web")],
)
def test_the_channel_comes_from_the_sessions_metadata(metadata: object, channel: str) -> None:
    events, _ = run(ActionSessionStart(), tracker({"session_started_metadata": metadata}))
    assert SlotSet("channel", channel) in events
