"""Logging for the project's processes: one line per event, ids and timings, never content."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format=FORMAT, stream=sys.stderr, force=True)
    # Libraries that log request bodies or headers at DEBUG stay at WARNING.
    for noisy in ("httpx", "httpcore", "sqlalchemy.engine", "twilio", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
