"""The pages every footer links to, and the staff session's timeout warning, in a real browser
(Debian's chromium) against the real stack, by keyboard alone:

- from the chat page and from a staff page, Tab reaches the footer's "Accessibility
  statement" and "Cookies" links and Enter opens them; axe-core finds nothing serious on
  either page; they fit 320 px and 200 % zoom (screenshots under var/screenshots);
- on an API instance whose staff sessions end after 40 idle seconds (warned 25 seconds
  before) and whose clock is the real one, the warning opens as a modal dialog that takes the
  focus and keeps it, Escape and "Stay signed in" keep the session going past its first end,
  and when the manager does nothing the browser goes to the sign-in page, the session is
  over, and the rationale typed before survives into the form after signing in again, until
  the decision is recorded (or the manager signs out on purpose).

The page check runs on every page the browser is sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser
from sqlalchemy.orm import Session

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine
from bot.domain.contact import CallerDetails, ChildDetails, NewContact
from tests.browser.conftest import SCREENSHOTS
from tests.support.irt_browser import (
    NARROW,
    ZOOM_200,
    StaffBrowser,
    fits_the_width,
    keyboard_sign_in,
    staff_browser,
)
from tests.support.stack import Stack
from tests.support.staff import add_staff

pytestmark = pytest.mark.e2e

IDLE_SECONDS = 40
WARNING_SECONDS = 25
INSTANCE = "api-short-sessions"
DRAFT = "Spoke to the school's DSL; the child's account is consistent. Strategy discussion next"
_FOCUSED_ID = "() => document.activeElement ? document.activeElement.id : ''"
_SESSION = """() => fetch('/irt/api/session', {headers: {'X-PCL-Background': '1'}})
    .then(r => r.ok ? r.json().then(b => b.idle_seconds_left) : -r.status)"""


@pytest.fixture
def manager(stack: Stack) -> tuple[str, str]:
    return add_staff(stack, "irt_manager")


@pytest.fixture(scope="module")
def short_sessions(stack: Stack) -> Iterator[str]:
    """An API instance of the stack's with short staff sessions on the real clock."""
    url = stack.start_instance(
        INSTANCE,
        "api",
        PCL_NOW=None,
        PCL_STAFF_IDLE_TIMEOUT_SECONDS=str(IDLE_SECONDS),
        PCL_STAFF_TIMEOUT_WARNING_SECONDS=str(WARNING_SECONDS),
    )
    try:
        stack.wait_ready(INSTANCE)
        yield url
    finally:
        stack.stop(INSTANCE)


def create_contact(stack: Stack) -> str:
    with Session(make_engine(stack.database_url or "")) as db, db.begin():
        cipher = FieldCipher(stack.encryption_key, stack.blind_index_key)
        return ContactRepository(db, cipher, timezone="Europe/London").create(
            NewContact(
                channel="web",
                created_at=datetime.now(UTC),
                caller=CallerDetails(name="Tess Timeout", role="Teacher"),
                child=ChildDetails(name="Kit Draft"),
                concern="Bruises on both arms this week.",
            )
        )


def follow_footer_link(staff: StaffBrowser, text: str, path: str, h1: str) -> None:
    staff.chat.tab_to(text, limit=120)
    assert staff.page.evaluate("() => document.activeElement.closest('.pcl-footer') !== null")
    with staff.page.expect_navigation():
        staff.page.keyboard.press("Enter")
    staff.check_pages()
    assert staff.page.url.endswith(path)
    assert staff.page.inner_text("h1") == h1


STATEMENT = (
    "Accessibility statement",
    "/accessibility-statement",
    "Accessibility statement for the Professional Consultation Line",
)
COOKIES = ("Cookies", "/cookies", "Cookies")


# --- 1. the footer's pages -------------------------------------------------------------------


def test_the_footer_links_reach_the_statement_and_the_cookies_page_by_keyboard(
    browser: Browser, in_hours: Stack, manager: tuple[str, str]
) -> None:
    staff = staff_browser(browser, in_hours, bypass_csp=True)  # for axe's inline script
    try:
        for link in (STATEMENT, COOKIES):
            staff.open("/chat")
            follow_footer_link(staff, *link)
            assert staff.axe() == [], link[1]
        staff.open("/irt/sign-in")
        keyboard_sign_in(staff, *manager)
        assert staff.page.inner_text("h1") == "Contacts queue"
        for link in (STATEMENT, COOKIES):
            staff.open("/irt")
            follow_footer_link(staff, *link)
        staff.open("/irt/sign-in")
        follow_footer_link(staff, *COOKIES)
        assert staff.console_errors == []
    finally:
        staff.close()


@pytest.mark.parametrize(("name", "options"), [("320", NARROW), ("zoom-200", ZOOM_200)])
def test_the_statement_and_the_cookies_page_fit_320_px_and_200_percent_zoom(
    browser: Browser, in_hours: Stack, name: str, options: dict[str, object]
) -> None:
    staff = staff_browser(browser, in_hours, bypass_csp=True, **options)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for _label, path, _ in (STATEMENT, COOKIES):
            staff.open(path)
            fits_the_width(staff, f"{path} at {name}")
            assert staff.axe() == [], f"{path} at {name}"
            shot = SCREENSHOTS / f"{path.strip('/')}-{name}.png"
            staff.page.screenshot(path=str(shot), full_page=True)
        staff.open("/chat")
        assert "is open now, until 4pm today" in staff.page.inner_text("#line-now")
        staff.page.screenshot(path=str(SCREENSHOTS / f"chat-line-now-{name}.png"), full_page=True)
        assert staff.console_errors == []
    finally:
        staff.close()


# --- 2. the timeout warning ------------------------------------------------------------------


def wait_for_dialog(staff: StaffBrowser) -> None:
    staff.page.wait_for_selector(
        "#timeout-dialog:not([hidden])", state="visible", timeout=(IDLE_SECONDS + 15) * 1000
    )


def dialog_closes(staff: StaffBrowser) -> None:
    """The dialog closes once the refresh's answer is read: the response event comes with its
    headers, before the page has its body, so wait rather than look at once."""
    staff.page.wait_for_selector("#timeout-dialog", state="hidden", timeout=5_000)


def dialog_keeps_the_focus(staff: StaffBrowser) -> None:
    dialog = staff.page.locator("#timeout-dialog")
    assert dialog.get_attribute("role") == "dialog"
    assert dialog.get_attribute("aria-modal") == "true"
    assert staff.page.evaluate(_FOCUSED_ID) == "timeout-dialog"
    heading = staff.page.inner_text(f"#{dialog.get_attribute('aria-labelledby')}")
    assert heading == "You\u2019re about to be signed out"
    seen = []
    for key in ("Tab", "Tab", "Tab", "Tab", "Shift+Tab"):
        staff.page.keyboard.press(key)
        seen.append(staff.page.evaluate(_FOCUSED_ID))
    assert seen == [
        "timeout-stay",
        "timeout-sign-out",
        "timeout-stay",
        "timeout-sign-out",
        "timeout-stay",
    ], seen
    # The page behind is out of reach (inert) while the dialog is open.
    assert staff.page.evaluate("() => document.querySelector('main').closest('[inert]') !== null")
    live = staff.page.locator("#timeout-announcement")
    assert live.get_attribute("aria-live") == "polite"
    assert "For your security, we will sign you out in" in live.inner_text()
    countdown = staff.page.inner_text("#timeout-countdown")
    assert countdown.endswith("seconds") and int(countdown.split()[0]) <= WARNING_SECONDS


def test_the_timeout_warning_stay_signed_in_and_a_draft_that_outlives_the_session(
    browser: Browser, stack: Stack, short_sessions: str, manager: tuple[str, str]
) -> None:
    reference = create_contact(stack)
    staff = staff_browser(browser, stack, base_url=short_sessions, bypass_csp=True, **ZOOM_200)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        staff.open(f"/irt/contacts/{reference}")  # redirected to the sign-in page
        keyboard_sign_in(staff, *manager)
        assert staff.page.inner_text("h1") == f"Contact {reference}"
        signed_in_at = time.monotonic()

        staff.chat.tab_to(id="decision-rationale", limit=150)
        staff.page.keyboard.type(DRAFT)

        # The first warning: the dialog has the focus and keeps it; Escape stays signed in.
        wait_for_dialog(staff)
        dialog_keeps_the_focus(staff)
        assert staff.axe() == []
        staff.page.screenshot(path=str(SCREENSHOTS / "irt-timeout-dialog-zoom-200.png"))
        staff.page.set_viewport_size(NARROW["viewport"])  # type: ignore[arg-type]
        box = staff.page.locator("#timeout-dialog").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
        staff.page.screenshot(path=str(SCREENSHOTS / "irt-timeout-dialog-320.png"))
        staff.page.set_viewport_size(ZOOM_200["viewport"])  # type: ignore[arg-type]
        with staff.page.expect_response("**/irt/api/session/refresh") as refreshed:
            staff.page.keyboard.press("Escape")
        assert refreshed.value.status == 200
        dialog_closes(staff)
        assert staff.page.evaluate(_FOCUSED_ID) == "decision-rationale"

        # The second: "Stay signed in" by keyboard, after the first end would have come.
        wait_for_dialog(staff)
        assert staff.page.evaluate(_FOCUSED_ID) == "timeout-dialog"
        staff.page.keyboard.press("Tab")
        assert staff.page.evaluate(_FOCUSED_ID) == "timeout-stay"
        with staff.page.expect_response("**/irt/api/session/refresh") as refreshed:
            staff.page.keyboard.press("Enter")
        assert refreshed.value.status == 200
        dialog_closes(staff)
        left = staff.page.evaluate(_SESSION)
        assert left > IDLE_SECONDS - 5, f"the session was not extended: {left}"
        # Past the moment the session would have ended without the two refreshes, it lives.
        time.sleep(max(0.0, signed_in_at + IDLE_SECONDS + 2 - time.monotonic()))
        assert staff.page.evaluate(_SESSION) > 0
        assert staff.page.input_value("#decision-rationale") == DRAFT

        # The third: nothing done, so the session ends and the browser says why.
        wait_for_dialog(staff)
        staff.page.wait_for_url("**/irt/sign-in?timed_out=true*", timeout=60_000)
        staff.check_pages()
        assert "You were signed out because you had not used these pages for 40 seconds" in (
            staff.page.inner_text("#sign-in-notice")
        )
        assert staff.page.evaluate(_SESSION) == -401
        staff.page.screenshot(path=str(SCREENSHOTS / "irt-timed-out-sign-in-zoom-200.png"))

        # Signing in again goes back to the contact, with the draft put back.
        keyboard_sign_in(staff, *manager)
        assert staff.page.inner_text("h1") == f"Contact {reference}"
        assert staff.page.input_value("#decision-rationale") == DRAFT
        assert "has been put back" in staff.page.inner_text("#decision-draft-restored")
        key = f"pcl-draft-rationale:{reference}"
        assert staff.page.evaluate("k => sessionStorage.getItem(k)", key) == DRAFT

        # Recording the decision clears it.
        staff.chat.tab_to(id="decision-status", limit=150)
        staff.page.keyboard.press("Space")
        staff.chat.tab_to(id="record-decision", limit=20)
        with staff.page.expect_navigation():
            staff.page.keyboard.press("Enter")
        staff.check_pages()
        assert "Your decision has been recorded." in staff.page.inner_text(
            ".govuk-notification-banner"
        )
        assert staff.page.evaluate("k => sessionStorage.getItem(k)", key) is None
        assert staff.page.input_value("#decision-rationale") == ""
        assert DRAFT in staff.page.inner_text("#decisions")
        # A new draft goes when the manager signs out on purpose (the header's button).
        staff.chat.tab_to(id="decision-rationale", limit=150)
        staff.page.keyboard.type("A second thought")
        assert staff.page.evaluate("k => sessionStorage.getItem(k)", key) == "A second thought"
        staff.chat.tab_to("Sign out", backwards=True, limit=150)
        with staff.page.expect_navigation():
            staff.page.keyboard.press("Enter")
        staff.check_pages()
        assert staff.page.url.endswith("/irt/sign-in?signed_out=true")
        assert staff.page.evaluate("() => sessionStorage.length") == 0
        # The only errors: the browser's note of the 401 when the page (and this test) asked
        # about the session after it had ended. Nothing against the CSP.
        unauthorised = "the server responded with a status of 401 (Unauthorized)"
        assert staff.console_errors and all(unauthorised in e for e in staff.console_errors)
    finally:
        staff.close()
