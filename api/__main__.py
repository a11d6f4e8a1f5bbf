"""Start the API: check the configuration, migrate the database, then serve."""

from __future__ import annotations

import sys

import uvicorn

from bot.adapters.db.migrations import prepare_or_exit
from bot.adapters.go_live import check_go_live
from bot.adapters.logs import configure_logging
from bot.adapters.service_file import load_facts
from bot.adapters.settings import get_settings


def main() -> None:
    configure_logging()
    try:
        settings = get_settings()
        check_go_live(settings, load_facts(settings.facts_file))
    except ValueError as error:  # pydantic's ValidationError and FactsError are ValueErrors
        sys.exit(f"api: configuration error: {error}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    prepare_or_exit(settings, "api")

    from api.main import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        access_log=False,  # api.main logs each request without the client's address
        log_config=None,
        # X-Forwarded-For is read only from PCL_TRUSTED_PROXIES (api.client_address);
        # uvicorn's own handling would believe it from any local process.
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
