"""The action server's sender of the IRT alerts' outbox (bot.services.alert_outbox): a
background thread, started with the server (actions/server.py) and woken right after a flagged
contact is committed with its alert (`kick`), so that the normal case is immediate and the
caller's reply (999, the IRT's number) never waits on Twilio. Between wake-ups it looks for
alerts that are due every few seconds: a retry after a failure, an alert not delivered within
two minutes, or one left by a process that died before it was sent."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from actions.services import Services, current_services, get_services
from bot.adapters.rate_limits import alert_cap
from bot.adapters.twilio_alert import TwilioAlertGateway
from bot.services.alert_outbox import deliver_due

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
THREAD_NAME = "irt-alert-sender"


def wall_clock() -> datetime:
    return datetime.now(UTC)


class _Sender:
    lock = threading.Lock()  # one pass at a time in this process (claims guard the others)
    wake = threading.Event()
    thread: threading.Thread | None = None
    started = threading.Lock()


def deliver_now(services: Services | None = None) -> int:
    """One pass: sends whatever is due now; waits for a pass under way to end first."""
    with _Sender.lock:
        services = services or get_services()
        if not services.settings.irt_alert_enabled:
            return 0
        return deliver_due(
            services.unit_of_work,
            TwilioAlertGateway(services.settings),
            wall_clock,
            cap=alert_cap(services.settings.irt_alert_cap),
            facts=services.facts,
        )


def _run() -> None:
    while True:
        _Sender.wake.wait(POLL_SECONDS)
        _Sender.wake.clear()
        services = current_services()  # built by the server's start (or the first action)
        if services is None:
            continue
        try:
            deliver_now(services)
        except Exception as error:  # the database away a moment: the next pass tries again
            logger.error("IRT alert sender: pass failed: %s", type(error).__name__)


def start_sender() -> None:
    """Starts the background sender (once per process)."""
    with _Sender.started:
        if _Sender.thread is None or not _Sender.thread.is_alive():
            _Sender.thread = threading.Thread(target=_run, name=THREAD_NAME, daemon=True)
            _Sender.thread.start()


def kick() -> None:
    """A flagged contact's alert was just committed: send it now."""
    start_sender()
    _Sender.wake.set()
