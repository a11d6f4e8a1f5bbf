"""Sends the SMS alert to the IRT duty phone (SPEC rule 7) through Twilio's REST client. Off
unless PCL_IRT_ALERT_TO and the Twilio credentials are set. The alert's words are
bot.domain.irt_alert's; when one is due is the outbox's (bot.services.alert_outbox), which the
action server's sender (actions/irt_alert.py) runs in the background, so that the caller's
reply (999, the IRT's number) never waits on Twilio.

One `send` tries a few times quickly (tenacity: a network error, Twilio's 5xx or 429) and asks
Twilio to report delivery to PCL_PUBLIC_BASE_URL + /sms/alert-status. A failure is reported as
a code (never a text), and the outbox tries again later.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.adapters.settings import Settings
from bot.domain.irt_alert import STATUS_CALLBACK_PATH
from bot.services.alert_outbox import AlertNotSentError

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
# Within one send: 3 tries, 0.5 s then 1 s apart (well inside the outbox's lease).
TRIES = 3
FIRST_WAIT_SECONDS = 0.5


class _RebasedHttpClient(TwilioHttpClient):
    """Sends the client's requests to another base URL (PCL_TWILIO_API_BASE), keeping the
    path: a local stand-in for Twilio's API in tests, or an egress gateway."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._base = urlsplit(base_url)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        url = urlunsplit(
            parts._replace(
                scheme=self._base.scheme,
                netloc=self._base.netloc,
                path=self._base.path.rstrip("/") + parts.path,
            )
        )
        return super().request(method, url, *args, **kwargs)


def make_client(settings: Settings) -> Client:
    http_client = (
        _RebasedHttpClient(settings.twilio_api_base, TIMEOUT_SECONDS)
        if settings.twilio_api_base
        else TwilioHttpClient(timeout=TIMEOUT_SECONDS)
    )
    return Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        http_client=http_client,
    )


def status_callback_url(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH


def _transient(error: BaseException) -> bool:
    """Worth trying again at once: the network, or Twilio busy or failing (429, 5xx)."""
    if isinstance(error, TwilioRestException):
        return error.status == 429 or error.status >= 500
    return True


def _code(error: BaseException) -> str:
    if isinstance(error, TwilioRestException):
        return f"http-{error.status}" + (f"-{error.code}" if error.code else "")
    return type(error).__name__


class TwilioAlertGateway:
    """bot.services.alert_outbox.AlertGateway over Twilio's Messages API."""

    def __init__(
        self, settings: Settings, *, tries: int = TRIES, first_wait: float = FIRST_WAIT_SECONDS
    ) -> None:
        self._settings = settings
        self._retrying = Retrying(
            stop=stop_after_attempt(tries),
            wait=wait_exponential(multiplier=first_wait, min=first_wait, max=4 * first_wait),
            retry=retry_if_exception(_transient),
            reraise=True,
        )

    def send(self, reference: str, body: str) -> str:
        settings = self._settings
        client = make_client(settings)
        try:
            for attempt in self._retrying.copy():
                with attempt:
                    message = client.messages.create(
                        to=settings.irt_alert_to,
                        from_=settings.twilio_from,
                        body=body,
                        status_callback=status_callback_url(settings),
                    )
        except Exception as error:  # any failure (network, Twilio's refusal) becomes a code
            raise AlertNotSentError(_code(error)) from None
        return str(message.sid)
