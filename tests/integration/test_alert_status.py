"""Twilio's status callback on the IRT alerts (`POST /sms/alert-status`), in the API process on
a real SQLite database: a signed "delivered" marks the alert delivered, a signed "undelivered"
has it sent again; a missing or wrong signature is refused with 403 and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from bot.domain.contact import NewContact
from bot.domain.irt_alert import AlertState
from bot.services.records import record_contact
from tests.integration.test_sms_webhook import PUBLIC, TOKEN, Webhook, make_settings, run

SID = "SM" + "a" * 32
URL = "/sms/alert-status"


@pytest.fixture
def hook(tmp_path: Path) -> Iterator[Webhook]:
    webhook = Webhook(make_settings(tmp_path))
    yield webhook
    webhook.close()


def sent_alert(hook: Webhook) -> str:
    """A flagged contact whose alert Twilio accepted as SID."""
    uow = hook.services.unit_of_work()
    reference = record_contact(
        uow,
        NewContact(channel="web", created_at=datetime.now(UTC), significant_harm=True),
        reference=None,
        origin="turn-1",
        alert=lambda flagged: f"Significant harm contact {flagged}",
    )
    now = datetime.now(UTC)
    with uow:
        [alert] = uow.alerts.due(now)
        assert uow.alerts.claim(alert.id, now, now + timedelta(seconds=30))
        uow.alerts.sent(alert.id, SID, now, now + timedelta(minutes=2))
        uow.commit()
    return reference


def alert_of(hook: Webhook, reference: str) -> AlertState:
    with hook.services.unit_of_work() as uow:
        alert = uow.contacts.get(reference).alert
    assert alert is not None
    return alert


def report(status: str, **more: str) -> dict[str, str]:
    return {
        "MessageSid": SID,
        "MessageStatus": status,
        "AccountSid": "AC" + "1" * 32,
        "To": "+447700900999",
        **more,
    }


def signed(params: dict[str, str], token: str = TOKEN, url: str = PUBLIC) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url + URL, params)}


def test_a_signed_delivered_report_marks_the_alert_delivered(hook: Webhook) -> None:
    reference = sent_alert(hook)
    params = report("delivered")
    response = run(hook.post(params, signed(params), url=URL))
    assert response.status_code == 204
    alert = alert_of(hook, reference)
    assert alert.status == "delivered"
    assert alert.delivered_at is not None


def test_a_signed_undelivered_report_keeps_only_the_error_code(hook: Webhook) -> None:
    reference = sent_alert(hook)
    params = report("undelivered", ErrorCode="30003", ErrorMessage="Unreachable handset")
    assert run(hook.post(params, signed(params), url=URL)).status_code == 204
    alert = alert_of(hook, reference)
    assert (alert.status, alert.last_error) == ("failed", "twilio-30003")


@pytest.mark.parametrize("tamper", ["missing", "wrong token", "changed status", "other url"])
def test_a_report_without_a_valid_signature_is_403_and_changes_nothing(
    hook: Webhook, tamper: str
) -> None:
    reference = sent_alert(hook)
    params = report("delivered")
    headers = signed(params)
    if tamper == "missing":
        headers = {}
    elif tamper == "wrong token":
        headers = signed(params, token="another-token")
    elif tamper == "changed status":
        headers = signed(report("undelivered"))
    else:
        headers = signed(params, url="https://attacker.example")
    response = run(hook.post(params, headers, url=URL))
    assert response.status_code == 403
    assert alert_of(hook, reference).status == "sent"


def test_a_report_without_a_usable_sid_is_400(hook: Webhook) -> None:
    params = report("delivered", MessageSid="not a sid!")
    assert run(hook.post(params, signed(params), url=URL)).status_code == 400
