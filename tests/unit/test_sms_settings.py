"""The Twilio settings: SMS off unless configured, half a configuration refused, and TLS in
production."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from bot.adapters.crypto import generate_key
from bot.adapters.settings import Settings

KEY, INDEX = generate_key(), generate_key()
TWILIO = {
    "twilio_account_sid": "AC" + "1" * 32,
    "twilio_auth_token": "token-for-tests",
    "public_base_url": "https://pcl.example.gov.uk",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PCL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PCL_ENV", "test")  # settings default to production


def settings(**values: str) -> Settings:
    base = {
        "rasa_token": "t" * 40,
        "hmac_key": "k" * 40,
        "encryption_keys": KEY,
        "blind_index_key": INDEX,
    }
    base.update(values)
    return Settings(**base)  # type: ignore[arg-type]


def test_sms_and_alerts_are_off_by_default() -> None:
    plain = settings()
    assert not plain.sms_enabled
    assert not plain.irt_alert_enabled
    assert plain.sms_rasa_timeout_seconds == 10.0
    assert plain.twilio_api_base is None


def test_sms_is_on_with_the_credentials_and_the_public_url() -> None:
    configured = settings(**TWILIO)
    assert configured.sms_enabled
    assert not configured.irt_alert_enabled
    assert "token-for-tests" not in repr(configured)


def test_alerts_are_on_with_the_duty_phone_and_a_sending_number() -> None:
    configured = settings(**TWILIO, twilio_from="+447700900100", irt_alert_to="+447700900999")
    assert configured.irt_alert_enabled


def test_the_settings_are_read_from_pcl_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in TWILIO.items():
        monkeypatch.setenv(f"PCL_{name.upper()}", value)
    monkeypatch.setenv("PCL_TWILIO_API_BASE", "http://127.0.0.1:9999")
    monkeypatch.setenv("PCL_SMS_RASA_TIMEOUT_SECONDS", "2.5")
    read = settings()
    assert read.sms_enabled
    assert read.twilio_auth_token.get_secret_value() == "token-for-tests"
    assert read.twilio_api_base == "http://127.0.0.1:9999"
    assert read.sms_rasa_timeout_seconds == 2.5


@pytest.mark.parametrize("missing", ["twilio_account_sid", "twilio_auth_token"])
def test_half_the_credentials_is_refused(missing: str) -> None:
    values = dict(TWILIO)
    del values[missing]
    with pytest.raises(ValidationError, match="go together"):
        settings(**values)


def test_credentials_without_the_public_url_are_refused() -> None:
    values = dict(TWILIO)
    del values["public_base_url"]
    with pytest.raises(ValidationError, match="PCL_PUBLIC_BASE_URL"):
        settings(**values)


def test_an_alert_number_without_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="PCL_IRT_ALERT_TO"):
        settings(irt_alert_to="+447700900999", twilio_from="+447700900100")


def test_an_alert_number_without_a_sending_number_is_refused() -> None:
    with pytest.raises(ValidationError, match="PCL_TWILIO_FROM"):
        settings(**TWILIO, irt_alert_to="+447700900999")


@pytest.mark.parametrize("number", ["07700 900999", "447700900999", "+44 7700 900999", "999"])
def test_numbers_must_be_e164(number: str) -> None:
    with pytest.raises(ValidationError, match=r"E\.164"):
        settings(**TWILIO, twilio_from="+447700900100", irt_alert_to=number)


@pytest.mark.parametrize("name", ["public_base_url", "twilio_api_base"])
def test_production_needs_https_for_twilio(name: str) -> None:
    values = {**TWILIO, name: "http://pcl.example.gov.uk"}
    with pytest.raises(ValidationError, match="https"):
        settings(env="production", database_url="postgresql+psycopg://db/pcl", **values)
