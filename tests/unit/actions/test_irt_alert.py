"""The IRT duty phone is alerted by SMS once per significant-harm contact, through the real
twilio client talking to a local stand-in for Twilio's API; the alert never holds the child's
or the caller's details, and a failure to send never stops the caller's reply."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from actions.harm import ActionHarmHandoff
from actions.irt_alert import deliver_now
from actions.services import Services
from tests.support.twilio_api import CapturedRequest, TwilioApiStub
from tests.unit.actions.conftest import OUT_OF_HOURS, certain, reconfigure, run, texts, tracker

HANDOFF = ActionHarmHandoff()
DISCLOSURE = "she told me her dad hits her with a belt"
SID = "AC" + "2" * 32
TOKEN = "alert-test-token"
DUTY_PHONE = "+447700900999"
LINE = "+447700900100"
FIRST_REFERENCE = "PCL-2026-000001"


@pytest.fixture
def twilio_api() -> Iterator[TwilioApiStub]:
    """A fresh stand-in per test: each test's database starts its references again."""
    stub = TwilioApiStub().start()
    yield stub
    stub.close()


def configure(api_base: str) -> Services:
    return reconfigure(
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        public_base_url="https://pcl.example.gov.uk",
        twilio_from=LINE,
        irt_alert_to=DUTY_PHONE,
        twilio_api_base=api_base,
    )


@pytest.fixture
def alerts_on(twilio_api: TwilioApiStub, services: Services) -> Iterator[TwilioApiStub]:
    configure(twilio_api.url + "/twilio-gateway")
    yield twilio_api
    settle()


def alerts_to(stub: TwilioApiStub, reference: str) -> list[CapturedRequest]:
    return [r for r in stub.requests if reference in r.form.get("Body", "")]


def settle() -> None:
    """Waits for the sender's pass under way, then sends whatever is still due: after this,
    whatever the actions queued has reached the stand-in."""
    deliver_now()


def test_a_new_significant_harm_contact_alerts_the_duty_phone(alerts_on: TwilioApiStub) -> None:
    slots = {
        "line_open": True,
        "consultation_type": "named_child",
        "child_name": "Sam Jones",
        "child_dob": "2017-03-03",
    }
    run(HANDOFF, tracker(slots, intent="significant_harm", text=DISCLOSURE, parse=certain()))
    alert = alerts_on.wait_for(lambda r: FIRST_REFERENCE in r.form.get("Body", ""))
    assert alert.path == f"/twilio-gateway/2010-04-01/Accounts/{SID}/Messages.json"
    assert alert.basic_auth == (SID, TOKEN)
    assert alert.form["To"] == DUTY_PHONE
    assert alert.form["From"] == LINE
    body = alert.form["Body"]
    assert "significant harm" in body
    assert "11:00 on Thu 26 Nov 2026" in body
    for personal in ("Sam", "Jones", "2017", "belt", "dad"):
        assert personal not in body


def test_immediate_danger_is_named_in_the_alert(alerts_on: TwilioApiStub) -> None:
    run(
        HANDOFF,
        tracker(
            {"line_open": True, "consultation_type": "named_child"},
            intent="immediate_danger",
            text="home alone now",
            parse=certain(),
        ),
    )
    alert = alerts_on.wait_for(lambda r: FIRST_REFERENCE in r.form.get("Body", ""))
    assert "immediate danger" in alert.form["Body"]


def test_a_second_harm_message_on_the_same_contact_sends_no_second_alert(
    alerts_on: TwilioApiStub,
) -> None:
    first, _ = run(
        HANDOFF,
        tracker(
            {"line_open": True, "consultation_type": "named_child"},
            intent="significant_harm",
            text=DISCLOSURE,
            parse=certain(),
        ),
    )
    slots = {"line_open": True, **{event["name"]: event["value"] for event in first}}
    run(
        HANDOFF,
        tracker(
            slots, intent="immediate_danger", text="toddler home alone right now", parse=certain()
        ),
    )
    alerts_on.wait_for(lambda r: FIRST_REFERENCE in r.form.get("Body", ""))
    settle()
    assert len(alerts_to(alerts_on, FIRST_REFERENCE)) == 1


def test_an_earlier_contact_flagged_later_alerts_once(alerts_on: TwilioApiStub) -> None:
    # e.g. a contact recorded at the end of a consultation, then a disclosure afterwards
    first, _ = run(
        HANDOFF,
        tracker(
            {"line_open": True, "consultation_type": "named_child"},
            intent="significant_harm",
            text=DISCLOSURE,
            parse=certain(),
        ),
    )
    alerts_on.wait_for(lambda r: FIRST_REFERENCE in r.form.get("Body", ""))
    reference = {e["name"]: e["value"] for e in first}["contact_reference"]
    slots = {
        "line_open": True,
        "consultation_type": "named_child",
        "contact_reference": reference,
        "significant_harm": False,
    }
    run(
        HANDOFF,
        tracker(
            slots,
            intent="significant_harm",
            text="he has a burn on his hand",
            parse={**certain(), "message_id": "a-later-turn"},  # another turn than the first
        ),
    )
    settle()
    assert len(alerts_to(alerts_on, FIRST_REFERENCE)) == 2  # the second: the flag was raised


def test_an_anonymous_scenario_alerts_no_one(alerts_on: TwilioApiStub) -> None:
    slots = {"line_open": True, "role_type": "professional", "consultation_type": "scenario"}
    run(HANDOFF, tracker(slots, intent="significant_harm", text=DISCLOSURE, parse=certain()))
    settle()
    assert alerts_on.requests == []


def test_without_the_alert_settings_nothing_is_queued_or_sent(
    twilio_api: TwilioApiStub, services: Services
) -> None:
    run(
        HANDOFF,
        tracker(
            {"line_open": True, "consultation_type": "named_child"},
            intent="significant_harm",
            text=DISCLOSURE,
            parse=certain(),
        ),
    )
    settle()
    assert twilio_api.requests == []
    with services.unit_of_work() as uow:
        assert uow.contacts.get(FIRST_REFERENCE).alert is None  # no outbox row either


def test_a_failed_alert_is_logged_with_the_reference_only_kept_for_a_retry_and_the_reply_goes(
    caplog: pytest.LogCaptureFixture, services: Services
) -> None:
    configure("http://127.0.0.1:9")  # nothing listens: the request fails at once
    caplog.set_level(logging.INFO, logger="bot.services.alert_outbox")
    started = time.perf_counter()
    _, sent = run(
        HANDOFF,
        tracker(
            {"line_open": True, "consultation_type": "named_child"},
            intent="significant_harm",
            text=DISCLOSURE,
            parse=certain(),
        ),
    )
    assert time.perf_counter() - started < 2  # the reply does not wait for Twilio
    assert "01332 641172" in " ".join(texts(sent))
    settle()
    logged = [record.getMessage() for record in caplog.records]
    assert logged == [
        f"IRT alert for contact {FIRST_REFERENCE} not sent (attempt 1): ConnectionError"
    ]
    with services.unit_of_work() as uow:  # still in the outbox, to be sent again
        alert = uow.contacts.get(FIRST_REFERENCE).alert
    assert alert is not None
    assert (alert.status, alert.attempts, alert.last_error) == ("pending", 1, "ConnectionError")


def test_out_of_hours_the_alert_says_the_caller_was_sent_to_the_care_line(
    alerts_on: TwilioApiStub,
) -> None:
    reconfigure(now=OUT_OF_HOURS)
    configure(alerts_on.url + "/twilio-gateway")
    slots = {"line_open": False, "consultation_type": "named_child"}
    run(HANDOFF, tracker(slots, intent="significant_harm", text=DISCLOSURE, parse=certain()))
    body = alerts_on.wait_for(lambda r: FIRST_REFERENCE in r.form.get("Body", "")).form["Body"]
    assert "The caller was told to call Derby City Care Line (out of hours) now." in body
    assert "IRT now" not in body


def test_twilio_failing_twice_is_tried_again_within_the_send_and_asked_for_a_report(
    alerts_on: TwilioApiStub, services: Services
) -> None:
    alerts_on.fail_next(2)
    run(
        HANDOFF,
        tracker(
            {"line_open": True, "consultation_type": "named_child"},
            intent="significant_harm",
            text=DISCLOSURE,
            parse=certain(),
        ),
    )
    settle()
    tries = alerts_to(alerts_on, FIRST_REFERENCE)
    assert len(tries) == 3  # two 500s, then accepted, in one send
    assert {r.form["StatusCallback"] for r in tries} == {
        "https://pcl.example.gov.uk/sms/alert-status"
    }
    assert len(alerts_on.messages) == 1
    with services.unit_of_work() as uow:
        alert = uow.contacts.get(FIRST_REFERENCE).alert
    assert alert is not None and (alert.status, alert.attempts) == ("sent", 1)


def test_twilio_failing_a_whole_send_leaves_the_alert_for_a_later_try(
    alerts_on: TwilioApiStub, services: Services
) -> None:
    alerts_on.fail_next(3)
    run(
        HANDOFF,
        tracker(
            {"line_open": True, "consultation_type": "named_child"},
            intent="significant_harm",
            text=DISCLOSURE,
            parse=certain(),
        ),
    )
    settle()
    assert alerts_on.messages == []
    with services.unit_of_work() as uow:
        alert = uow.contacts.get(FIRST_REFERENCE).alert
    assert alert is not None
    assert (alert.status, alert.attempts, alert.last_error) == ("pending", 1, "http-500-20500")
