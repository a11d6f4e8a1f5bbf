"""The IRT review pages as a manager drives them in a real browser, for tests/browser/test_irt.py:
accounts (tests/support/staff.py), a flagged contact made by a professional's web chat, and a
page check on every page the browser is sent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Response

from tests.browser.conftest import AXE, open_chat_page
from tests.support.browser import ChatPage
from tests.support.conversation import (
    CERTAIN_DISCLOSURE,
    consult,
    conversation,
    named_child,
)
from tests.support.pages import check_page
from tests.support.stack import Stack
from tests.support.staff import SECRETS, next_code, used

_CHECKED_STATUSES = (200, 400, 403, 404)
# 200 % zoom of a 1280-pixel window, and the narrowest screen WCAG reflows to.
ZOOM_200 = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
NARROW = {"viewport": {"width": 320, "height": 640}}


def flagged_contact_by_web_chat(stack: Stack, child: dict[str, str] | None = None) -> str:
    """A professional names a child and discloses harm through the web chat's API: the action
    server records and flags the contact. Returns its reference."""
    with conversation(stack) as conv:
        consult(conv)
        named_child(conv, child)
        reply = conv.say(CERTAIN_DISCLOSURE)
        assert reply.reference, conv.transcript
        conv.say("no")  # does the family know
        conv.say("at_risk")  # why shared without consent: the consultation completes
        return reply.reference


@dataclass
class StaffBrowser:
    chat: ChatPage
    checked: set[int] = field(default_factory=set)

    @property
    def page(self) -> Any:
        return self.chat.page

    @property
    def console_errors(self) -> list[str]:
        return self.chat.console_errors

    def open(self, path: str) -> Response:
        response = self.page.goto(path)
        assert response is not None, path
        assert response.status == 200, f"{path}: {response.status}"
        self.check_pages()
        return response

    def check_pages(self) -> None:
        """The page check on every page (document) the browser has been sent so far."""
        for response in self.chat.responses:
            key = id(response)
            if key in self.checked:
                continue
            if response.request.resource_type == "document" and (
                response.status in _CHECKED_STATUSES
            ):
                check_page(response.text(), response.all_headers())
            self.checked.add(key)

    def sign_in(self, username: str, password: str, otp: str | None = None) -> None:
        """Signs in with a code of the account's authenticator (tests.support.staff), or the
        `otp` given ("" for none: the first sign-in then leads to the enrolment page)."""
        self.open("/irt/sign-in")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        step = None
        if otp is None:
            otp, step = next_code(username) if username in SECRETS else ("", None)
        self.page.fill("#otp", otp)
        with self.page.expect_navigation():
            self.page.click("button:has-text('Sign in')")
        self.check_pages()
        if step is not None and not self.page.url.split("?")[0].endswith("/irt/sign-in"):
            used(username, step)  # signed in: the service has taken this step's code

    def error_summary(self) -> str:
        return " ".join(self.page.inner_text(".govuk-error-summary").split())

    def queue_rows(self) -> list[dict[str, Any]]:
        return self.page.eval_on_selector_all(
            "#queue-table [data-reference]",
            """cells => cells.map(c => ({reference: c.dataset.reference,
                flagged: c.dataset.significantHarm === 'true'}))""",
        )

    def download(self, selector: str) -> str:
        with self.page.expect_download() as info:
            self.page.click(selector)
        path = info.value.path()
        return Path(path).read_text(encoding="utf-8-sig")

    def axe(self) -> list[str]:
        """Serious or critical axe-core violations on the page (needs bypass_csp)."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.add_script_tag(path=str(AXE))
        results = self.page.evaluate(
            """() => axe.run(document, {runOnly: {type: 'tag', values: [
                 'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
        )
        found = []
        for violation in results["violations"]:
            if violation["impact"] not in ("serious", "critical"):
                continue
            nodes = [n for n in violation["nodes"] if not _known_govuk_issue(violation, n)]
            if nodes:
                found.append(
                    f"{violation['id']}: {violation['help']} at {[n['target'] for n in nodes]}"
                )
        return found

    def close(self) -> None:
        self.page.context.close()


def _known_govuk_issue(violation: dict[str, Any], node: dict[str, Any]) -> bool:
    """GOV.UK Frontend puts aria-expanded on a radio that reveals a question, on purpose:
    screen readers announce it, though ARIA does not list it for radios (alphagov/govuk-frontend
    issue 979, a documented known issue). Only that finding is let through."""
    return (
        violation["id"] == "aria-allowed-attr"
        and 'class="govuk-radios__input"' in node["html"]
        and "aria-controls=" in node["html"]
        and "aria-expanded=" in node["html"]
    )


def staff_browser(browser: Browser, stack: Stack, **options: object) -> StaffBrowser:
    return StaffBrowser(open_chat_page(browser, stack, accept_downloads=True, **options))


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def keyboard_sign_in(staff: StaffBrowser, username: str, password: str) -> None:
    """On the sign-in page: Tab to the username, type, Tab to the password, type, Tab to the
    authenticator's code, type, Enter."""
    staff.chat.tab_to(id="username")
    staff.page.keyboard.type(username)
    staff.page.keyboard.press("Tab")
    assert staff.chat.focused()["id"] == "password"
    staff.page.keyboard.type(password)
    staff.chat.tab_to(id="otp")
    code, step = next_code(username)
    staff.page.keyboard.type(code)
    with staff.page.expect_navigation():
        staff.page.keyboard.press("Enter")
    used(username, step)
    staff.check_pages()


def fits_the_width(staff: StaffBrowser, what: str) -> None:
    overflow = staff.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what}: the page scrolls sideways by {overflow} px"
