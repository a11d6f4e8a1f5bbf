"""The IRT is always told, even when a part of the stack dies (`kill -9` of its process group)
between the commit of a flagged contact with its alert and the alert's send: the alert is in
the records, and the action server's sender (again running once restarted) delivers it. The
stand-in for Twilio refuses every send (503) until released, to hold the alert unsent."""

from __future__ import annotations

import signal

import pytest

from tests.support.alerts import (
    alert_of,
    delivered,
    flag_named_child,
    messages_for,
    tries_for,
    wait_until,
)
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("process", ["actions", "rasa", "api"])
def test_an_alert_committed_before_a_kill_is_still_delivered(in_hours: Stack, process: str) -> None:
    stand_in = in_hours.twilio_api
    stand_in.hold()
    try:
        reference = flag_named_child(in_hours)
        wait_until(lambda: tries_for(in_hours, reference), 30, "the sender's first try")
        alert = alert_of(in_hours, reference)
        assert alert is not None and alert.status in ("pending", "sending")
        assert messages_for(in_hours, reference) == []
        in_hours.stop(process, signal.SIGKILL)
        in_hours.start(process)
        in_hours.wait_ready(process)
        in_hours.wait_healthy()
    finally:
        stand_in.release()
    wait_until(lambda: delivered(in_hours, reference), 120, f"{reference}'s alert delivered")
    assert len(messages_for(in_hours, reference)) >= 1
