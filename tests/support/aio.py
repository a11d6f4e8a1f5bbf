"""Running a coroutine from a synchronous test, whatever else the session is running.

Playwright's synchronous API keeps an event loop running on the main thread for the whole
session once a browser test has started, and `asyncio.run` refuses to start a second one
there; a worker thread has no running loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
