"""The IRT is always told (issue 19), over the real stack: the flagged contact's alert is
written with it, sent by the action server with retries, and reported delivered by Twilio's
signed status callback, which the contact then shows. The stand-in for Twilio's API fails and
reports like Twilio (tests/support/twilio_api.py)."""

from __future__ import annotations

import pytest

from tests.support.alerts import (
    alert_of,
    callback_url,
    delivered,
    flag_named_child,
    messages_for,
    tries_for,
    wait_until,
)
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


def test_an_alert_twilio_fails_three_times_arrives_once_and_shows_delivered(
    in_hours: Stack,
) -> None:
    in_hours.twilio_api.fail_next(3)
    reference = flag_named_child(in_hours)
    wait_until(lambda: delivered(in_hours, reference), 90, f"{reference}'s alert delivered")
    tries = tries_for(in_hours, reference)
    assert len(tries) == 4  # three 500s, then accepted
    assert {r.form.get("StatusCallback") for r in tries} == {callback_url(in_hours)}
    assert len(messages_for(in_hours, reference)) == 1  # one SMS on the duty phone
    [sid] = messages_for(in_hours, reference)
    answers = {(status, answer) for s, status, answer in in_hours.twilio_api.callbacks if s == sid}
    assert ("delivered", 204) in answers
    alert = alert_of(in_hours, reference)
    assert alert is not None and alert.attempts == 2  # two passes: 3 quick tries, then 1
    assert alert.last_error is None and alert.delivered_at is not None


@pytest.mark.parametrize("signature", ["missing", "wrong token"])
def test_a_status_callback_without_a_valid_signature_is_refused_and_changes_nothing(
    in_hours: Stack, signature: str
) -> None:
    in_hours.twilio_api.hold()  # the alert is not sent, so no genuine report comes
    try:
        reference = flag_named_child(in_hours)
        wait_until(lambda: tries_for(in_hours, reference), 30, "a first try")
    finally:
        in_hours.twilio_api.release()
    wait_until(lambda: messages_for(in_hours, reference), 60, f"{reference}'s alert sent")
    [sid] = messages_for(in_hours, reference)[:1]
    stand_in = in_hours.twilio_api
    token = stand_in.auth_token
    try:
        if signature == "wrong token":
            stand_in.auth_token = "not-the-auth-token"
        answer = stand_in.post_status(
            callback_url(in_hours), sid, "undelivered", signed=signature != "missing"
        )
    finally:
        stand_in.auth_token = token
    assert answer == 403
    wait_until(lambda: delivered(in_hours, reference), 60, "the genuine report")
