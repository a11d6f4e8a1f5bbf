"""Start the action server: check the settings and the service file first, so that a bad
configuration stops start-up with a clear message instead of failing on the first turn."""

from __future__ import annotations

import os
import sys


def main() -> None:
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    from actions.irt_alert import start_sender
    from actions.services import get_services
    from bot.adapters.go_live import check_go_live
    from bot.adapters.logs import configure_logging

    configure_logging()
    try:
        services = get_services()
        check_go_live(services.settings, services.facts)
    except ValueError as error:  # pydantic's ValidationError and FactsError are ValueErrors
        sys.exit(f"action server: configuration error: {error}")
    # The IRT alerts' outbox: alerts committed before a restart (or a crash) are sent now.
    start_sender()
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")
    port = os.environ.get("PCL_ACTION_SERVER_PORT", "5055")
    main_from_args(create_argument_parser().parse_args(["--actions", "actions", "-p", port]))


if __name__ == "__main__":
    main()
