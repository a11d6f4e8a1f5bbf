"""Sends the SMS alert to the IRT duty phone (SPEC rule 7) through Twilio's REST client. Off
unless PCL_IRT_ALERT_TO and the Twilio credentials are set. The alert's words are
bot.domain.irt_alert's; when to send one is the caller's (actions/irt_alert.py).

The alert is sent from a background thread: the caller's reply (999, the IRT's number) must
never wait on Twilio, and an SMS turn has only a few seconds. A failure is logged with the
contact reference only; the contact is already at the top of the IRT queue either way.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.adapters.settings import Settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0


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


def send_alert(settings: Settings, reference: str, body: str) -> None:
    """Starts sending the alert and returns at once; does nothing when alerts are off."""
    if not settings.irt_alert_enabled:
        return
    threading.Thread(
        target=_send, args=(settings, reference, body), name=f"irt-alert-{reference}", daemon=True
    ).start()


def _send(settings: Settings, reference: str, body: str) -> None:
    try:
        message = make_client(settings).messages.create(
            to=settings.irt_alert_to, from_=settings.twilio_from, body=body
        )
    except Exception as error:  # any failure (network, Twilio's refusal) is logged, not raised
        logger.error("IRT alert for contact %s failed: %s", reference, type(error).__name__)
        return
    logger.info("IRT alert for contact %s sent as %s", reference, message.sid)
