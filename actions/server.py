"""Start the action server: check the settings and the service file first, so that a bad
configuration stops start-up with a clear message instead of failing on the first turn.

Only Rasa may call the actions: every request but `/health` must carry the shared secret
`PCL_ACTION_SERVER_TOKEN`, which Rasa sends as the action endpoint's `token` (endpoints.yml).
rasa-sdk has no such check of its own, so the app it builds gets one before it serves.
"""

from __future__ import annotations

import hmac
import os
import sys
from typing import Any

from rasa_sdk import endpoint
from sanic import response
from sanic.request import Request

TOKEN_VARIABLE = "PCL_ACTION_SERVER_TOKEN"  # noqa: S105 - a variable's name
_create_app_for_serve = endpoint.create_app_for_serve


def given_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer ") :]
    return str(request.args.get("token") or "")


def create_guarded_app(*args: Any, **kwargs: Any) -> Any:
    """rasa-sdk's app, refusing (401) any call but /health without the token. Module-level,
    so that Sanic's worker process builds the same app."""
    app = _create_app_for_serve(*args, **kwargs)
    token = os.environ.get(TOKEN_VARIABLE, "").encode()

    @app.on_request
    async def require_token(request: Request) -> Any:
        if request.path == "/health":
            return None
        if not token or not hmac.compare_digest(given_token(request).encode(), token):
            return response.json({"error": "unauthorised"}, status=401)
        return None

    return app


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
    if len(os.environ.get(TOKEN_VARIABLE, "")) < 32:
        sys.exit(
            f"action server: configuration error: {TOKEN_VARIABLE} must be a random secret "
            "of at least 32 characters (`make run` generates one)"
        )
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")
    port = os.environ.get("PCL_ACTION_SERVER_PORT", "5055")
    endpoint.create_app_for_serve = create_guarded_app
    main_from_args(create_argument_parser().parse_args(["--actions", "actions", "-p", port]))


if __name__ == "__main__":
    main()
