"""The IRT duty phone's alert for a significant-harm contact: its words come from the
significant-harm use case (bot.domain.irt_alert), and bot.adapters.twilio_alert sends them in
the background, so that the caller's reply (999, the IRT's number) never waits on Twilio."""

from __future__ import annotations

from actions.services import get_services
from bot.adapters.twilio_alert import send_alert


def send_irt_alert(reference: str, body: str) -> None:
    """Starts sending the alert and returns at once; does nothing when alerts are off."""
    send_alert(get_services().settings, reference, body)
