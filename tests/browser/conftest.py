"""Browser fixtures: Debian's chromium driven by Playwright, against the one shared stack
(tests/conftest.py).

Without chromium or the built assets the browser tests skip and say why; under CI=true or
PCL_REQUIRE_SERVICES=1 they fail instead, so a CI run cannot pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Response, sync_playwright

from tests.support.browser import ChatPage
from tests.support.stack import ROOT, Stack

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUILT_ASSETS = ROOT / "api/static/govuk/pcl.min.css"
AXE = ROOT / "node_modules/axe-core/axe.min.js"
SCREENSHOTS = ROOT / "var/screenshots"
DESKTOP = {"width": 1280, "height": 900}


def required() -> bool:
    return (
        os.environ.get("CI", "").lower() == "true" or os.environ.get("PCL_REQUIRE_SERVICES") == "1"
    )


def unavailable(reason: str) -> NoReturn:
    if required():
        pytest.fail(f"{reason} (required here: CI=true or PCL_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


# One per test file, not per session: Playwright's sync API holds an asyncio loop as running in
# the thread until it stops, and a test file run after it by the same pytest-xdist worker that
# calls asyncio.run() would fail (tests/unit/services/test_answered_turns.py).
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium (as root)")
    if not BUILT_ASSETS.exists():
        unavailable("the web chat's assets are not built: run `make frontend`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        yield launched
        launched.close()


def open_chat_page(browser: Browser, stack: Stack, **context_options: object) -> ChatPage:
    options: dict[str, object] = {"base_url": stack.api_url, "viewport": DESKTOP}
    options.update(context_options)
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(30_000)
    page = context.new_page()
    chat = ChatPage(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":  # a Content-Security-Policy violation is one of these
            chat.console_errors.append(message.text)

    def on_page_error(error: Error) -> None:
        chat.console_errors.append(str(error))

    def on_response(response: Response) -> None:
        chat.responses.append(response)

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("response", on_response)
    return chat


@pytest.fixture
def chat_page(browser: Browser, in_hours: Stack) -> Iterator[ChatPage]:
    """A fresh browser context (so a fresh conversation cookie) on the chat's origin."""
    chat = open_chat_page(browser, in_hours)
    yield chat
    chat.page.context.close()
