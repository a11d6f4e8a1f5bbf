"""A professional texting the line, as the tests see them: each message is a Twilio-format
webhook request signed with the stack's auth token by twilio's own RequestValidator."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET

import httpx
from twilio.request_validator import RequestValidator

WEBHOOK = "/sms/twilio"


def parse_twiml(xml: str) -> list[str]:
    """The bodies of the <Message> elements of a TwiML reply, in order."""
    root = ET.fromstring(xml)
    assert root.tag == "Response", xml
    return [message.text or "" for message in root.iter("Message")]


def new_message_sid() -> str:
    return "SM" + secrets.token_hex(16)


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

    def signature(self, params: dict[str, str]) -> str:
        return self.validator.compute_signature(self.public_base_url + WEBHOOK, params)

    def post(
        self, params: dict[str, str], signature: str | None = None, sign: bool = True
    ) -> httpx.Response:
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = signature or self.signature(params)
        self.last = self.client.post(WEBHOOK, data=params, headers=headers)
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
