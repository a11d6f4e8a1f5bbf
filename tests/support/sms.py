"""A professional texting the line, as the tests see them: each message is a Twilio-format
webhook request signed with the stack's auth token by twilio's own RequestValidator."""

from __future__ import annotations

import itertools
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

import httpx
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator

from bot.domain.privacy import sms_sender_id
from tests.support.stack import Stack

WEBHOOK = "/sms/twilio"
# Ofcom's drama range, one number per conversation so that each test starts afresh.
_NUMBERS = (f"+447700900{n:03d}" for n in itertools.count(200))


def parse_twiml(xml: str) -> list[str]:
    """The bodies of the <Message> elements of a TwiML reply, in order."""
    root = ET.fromstring(xml)
    assert root.tag == "Response", xml
    return [message.text or "" for message in root.iter("Message")]


def new_message_sid() -> str:
    return "SM" + secrets.token_hex(16)


def form_fields(body: bytes) -> FormData:
    """A form-encoded body's fields as the API parses them (each byte as Latin-1, then
    percent-decoded as UTF-8, with U+FFFD for what is not UTF-8)."""
    return FormData(
        [
            (unquote_plus(name), unquote_plus(value))
            for name, _, value in (
                field.partition("=") for field in body.decode("latin-1").split("&") if field
            )
        ]
    )


def twilio_signature(auth_token: str, public_base_url: str, params: Mapping[str, Any]) -> str:
    """X-Twilio-Signature for these fields posted to the webhook, by twilio's own algorithm."""
    url = public_base_url.rstrip("/") + WEBHOOK
    return RequestValidator(auth_token).compute_signature(url, params)


class SmsPhone:
    def __init__(
        self,
        api_url: str,
        auth_token: str,
        public_base_url: str,
        number: str = "+447700900123",
        to: str = "+447700900100",
    ) -> None:
        self.client = httpx.Client(base_url=api_url, timeout=60)
        self.validator = RequestValidator(auth_token)
        self.public_base_url = public_base_url.rstrip("/")
        self.number = number
        self.to = to
        self.last: httpx.Response | None = None

    def form(self, body: str, message_sid: str | None = None) -> dict[str, str]:
        """The parameters Twilio posts for an inbound SMS."""
        return {
            "ToCountry": "GB",
            "SmsMessageSid": message_sid or "",
            "NumMedia": "0",
            "SmsSid": message_sid or "",
            "SmsStatus": "received",
            "Body": body,
            "To": self.to,
            "NumSegments": "1",
            "MessageSid": message_sid or "",
            "AccountSid": "AC" + "0" * 32,
            "From": self.number,
            "ApiVersion": "2010-04-01",
        }

    def signature(self, params: Mapping[str, Any]) -> str:
        return self.validator.compute_signature(self.public_base_url + WEBHOOK, params)

    def post(
        self, params: dict[str, str], signature: str | None = None, sign: bool = True
    ) -> httpx.Response:
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = signature or self.signature(params)
        self.last = self.client.post(WEBHOOK, data=params, headers=headers)
        return self.last

    def post_raw(self, body: bytes, sign: bool = True) -> httpx.Response:
        """Posts form-encoded bytes as they are (invalid UTF-8, say), signed over the fields as
        the API reads them: what Twilio's signature would cover had it sent these bytes."""
        headers = {"content-type": "application/x-www-form-urlencoded"}
        if sign:
            headers["X-Twilio-Signature"] = self.signature(form_fields(body))
        self.last = self.client.post(WEBHOOK, content=body, headers=headers)
        return self.last

    def send(self, body: str, message_sid: str | None = None) -> list[str]:
        """Texts `body`; returns the reply's messages."""
        response = self.post(self.form(body, message_sid or new_message_sid()))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        return parse_twiml(response.text)

    def send_text(self, body: str) -> str:
        return "\n".join(self.send(body))

    def close(self) -> None:
        self.client.close()


def phone_for(stack: Stack, number: str | None = None) -> SmsPhone:
    """A phone texting the stack's line, from a number of its own unless one is given."""
    return SmsPhone(
        stack.api_url,
        stack.twilio_auth_token,
        stack.public_base_url,
        number=number or next(_NUMBERS),
        to=stack.twilio_from,
    )


def user_turns(stack: Stack, number: str) -> int:
    """How many messages Rasa's tracker holds from this number's conversation."""
    sender = sms_sender_id(stack.hmac_key, number)
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.rasa_api_token},
        timeout=30,
    )
    response.raise_for_status()
    return sum(1 for event in response.json().get("events", []) if event["event"] == "user")
