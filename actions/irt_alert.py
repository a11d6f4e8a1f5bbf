"""The IRT duty phone's alert for a significant-harm contact: its words from the service file
(bot.domain.irt_alert), sent by bot.adapters.twilio_alert in the background, so that the
caller's reply (999, the IRT's number) never waits on Twilio."""

from __future__ import annotations

from datetime import datetime

from actions.services import get_services
from bot.adapters.twilio_alert import send_alert
from bot.domain.irt_alert import irt_alert_text


def alert_irt(reference: str, immediate_danger: bool, flagged_at: datetime) -> None:
    """Starts sending the alert and returns at once; does nothing when alerts are off."""
    services = get_services()
    if not services.settings.irt_alert_enabled:
        return
    body = irt_alert_text(services.facts, reference, immediate_danger, flagged_at)
    send_alert(services.settings, reference, body)
