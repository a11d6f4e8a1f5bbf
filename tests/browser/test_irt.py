"""The IRT review in a real browser (Debian's chromium) against the real stack: a manager signs
in, finds the flagged contact at the top of the queue, opens it, records a decision, exports
the selection and finds it all in the audit trail; a second browser sees a new contact arrive
without reloading; markup in a contact stays text everywhere; ten wrong passwords lock an
account; the sign-in answer does not say whether an account exists; and the statistics page
shows what the database holds. The page check runs on every page the browser is sent."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine
from bot.adapters.db.models import (
    AnonymousStatistic,
    AuditEvent,
    Contact,
    StaffSignInLock,
    StaffUser,
)
from bot.domain.contact import CallerDetails, ChildDetails, NewContact
from tests.browser.conftest import SCREENSHOTS
from tests.support.irt_browser import StaffBrowser, flagged_contact_by_web_chat, staff_browser
from tests.support.stack import Stack
from tests.support.staff import SECRETS, add_staff, next_code, used

pytestmark = pytest.mark.e2e

REFUSED = "The username or password is not right"
NEW_CONTACT_WITHIN_MS = 15_000
SCRIPT = "<script>window.pwned=1</script>"
IMAGE = '"><img src=x onerror="window.pwned=2">'
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def flagged(stack: Stack) -> str:
    """A significant-harm contact made through the web chat, once for the module."""
    stack.set_clock("2026-11-26T11:00:00+00:00")
    return flagged_contact_by_web_chat(stack, {"name": "Ruby Queue"})


@pytest.fixture
def manager(stack: Stack) -> tuple[str, str]:
    return add_staff(stack, "irt_manager")


@pytest.fixture
def staff(browser: Browser, stack: Stack) -> Iterator[StaffBrowser]:
    opened = staff_browser(browser, stack)
    yield opened
    opened.close()


def session(stack: Stack) -> Session:
    return Session(make_engine(stack.database_url or ""))


def audit_events(stack: Stack, actor: str) -> list[tuple[str, str | None]]:
    with session(stack) as db:
        rows = db.scalars(
            select(AuditEvent).where(AuditEvent.actor == actor).order_by(AuditEvent.id)
        )
        return [(e.action, e.reference) for e in rows]


def create_contact(stack: Stack, **values: object) -> str:
    with session(stack) as db, db.begin():
        cipher = FieldCipher(stack.encryption_key, stack.blind_index_key)
        values.setdefault("channel", "web")
        values.setdefault("created_at", datetime.now(UTC))
        return ContactRepository(db, cipher, timezone="Europe/London").create(NewContact(**values))  # type: ignore[arg-type]


# --- 1. the whole review ---------------------------------------------------------------------


def test_a_manager_reviews_a_flagged_contact_from_queue_to_audit_trail(
    staff: StaffBrowser, stack: Stack, flagged: str, manager: tuple[str, str]
) -> None:
    username, password = manager
    staff.sign_in(username, password)
    assert staff.page.url.endswith("/irt")
    assert staff.page.inner_text("h1") == "Contacts queue"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    staff.page.screenshot(path=str(SCREENSHOTS / "irt-queue.png"), full_page=True)
    rows = staff.queue_rows()
    assert rows[0]["flagged"], "the top of the queue is not a significant-harm contact"
    flags = [row["flagged"] for row in rows]
    assert flags == sorted(flags, reverse=True), "a flagged contact below an unflagged one"
    assert {"reference": flagged, "flagged": True} in rows

    with staff.page.expect_navigation():
        staff.page.click(f"a[href='/irt/contacts/{flagged}']")
    staff.check_pages()
    assert staff.page.inner_text("h1") == f"Contact {flagged}"
    child = staff.page.inner_text("#child")
    assert "Ruby Queue" in child
    assert "touched her inappropriately" in staff.page.inner_text("#concern")
    assert "Significant harm" in staff.page.inner_text("#contact-flags")

    # The LCS reference field appears only with its choice (GOV.UK's conditional reveal).
    assert not staff.page.is_visible("#decision-lcs-reference")
    staff.page.check("input[name=status][value=recorded_on_lcs]")
    assert staff.page.is_visible("#decision-lcs-reference")
    staff.page.fill("#decision-lcs-reference", "LCS-88231")
    staff.page.fill("#decision-rationale", "S47 strategy discussion held; recorded on LCS.")
    with staff.page.expect_navigation():
        staff.page.click("#record-decision")
    staff.check_pages()
    assert "Your decision has been recorded." in staff.page.inner_text(".govuk-notification-banner")
    decisions = staff.page.inner_text("#decisions")
    assert "Recorded on LCS" in decisions and "LCS-88231" in decisions and username in decisions

    staff.open("/irt?status=all&significant_harm=yes")
    exported = list(csv.DictReader(io.StringIO(staff.download("#csv-export"))))
    row = next(r for r in exported if r["Reference"] == flagged)
    assert row["Child name"] == "Ruby Queue" and row["LCS reference"] == "LCS-88231"
    assert row["Status"] == "recorded_on_lcs" and row["Significant harm"] == "Yes"

    staff.open(f"/irt/audit?actor={username}")
    shown = staff.page.eval_on_selector_all(
        "#audit-events [data-action]", "cells => cells.map(c => c.dataset.action)"
    )
    assert shown[:6] == [
        "export_contacts",
        "view_queue",
        "view_contact",
        "record_decision",
        "view_contact",
        "view_queue",
    ]
    assert shown[-1] == "sign_in"
    assert audit_events(stack, username) == [
        ("sign_in", None),
        ("view_queue", None),
        ("view_contact", flagged),
        ("record_decision", flagged),
        ("view_contact", flagged),
        ("view_queue", None),
        ("export_contacts", None),
    ]
    staff.open(f"/irt/contacts/{flagged}")
    staff.page.screenshot(path=str(SCREENSHOTS / "irt-contact.png"), full_page=True)
    assert staff.console_errors == []


# --- 2. live updates -------------------------------------------------------------------------


def test_a_new_significant_harm_contact_appears_in_open_queues_without_a_reload(
    browser: Browser, stack: Stack, manager: tuple[str, str], in_hours: Stack
) -> None:
    first, second = staff_browser(browser, stack), staff_browser(browser, stack)
    try:
        for watcher in (first, second):
            watcher.sign_in(*manager)
            watcher.page.evaluate("() => { window.notReloaded = true; }")
        before = {row["reference"] for row in first.queue_rows()}

        reference = flagged_contact_by_web_chat(stack, {"name": "Leo Live"})
        assert reference not in before

        for watcher in (first, second):
            watcher.page.wait_for_selector(
                f"#queue-table [data-reference='{reference}'][data-significant-harm='true']",
                timeout=NEW_CONTACT_WITHIN_MS,
            )
            assert watcher.page.evaluate("() => window.notReloaded") is True
            announced = watcher.page.inner_text("#queue-announcer")
            assert reference in announced and "significant harm" in announced
            assert watcher.page.get_attribute("#queue-announcer", "role") == "status"
            flags = [row["flagged"] for row in watcher.queue_rows()]
            assert flags == sorted(flags, reverse=True)
            assert watcher.console_errors == []
    finally:
        first.close()
        second.close()


# --- 3. text is text ---------------------------------------------------------------------------


def test_markup_in_a_contact_is_inert_text_on_every_page_and_in_the_csv(
    staff: StaffBrowser, stack: Stack, manager: tuple[str, str]
) -> None:
    reference = create_contact(
        stack,
        caller=CallerDetails(name=SCRIPT, role=IMAGE, agency='=HYPERLINK("http://x.example")'),
        child=ChildDetails(name=IMAGE, address=SCRIPT, carers="+44 SUM(1,2)"),
        concern=f"{SCRIPT}\n{IMAGE}",
        threshold_answers={"harm": SCRIPT},
        level_reasons=[IMAGE],
        advice_given=SCRIPT,
        significant_harm=True,
    )
    staff.sign_in(*manager)
    staff.open(f"/irt/contacts/{reference}")
    staff.page.fill("#decision-rationale", f"{SCRIPT} {IMAGE}")
    staff.page.check("input[name=status][value=in_review]")
    with staff.page.expect_navigation():
        staff.page.click("#record-decision")
    staff.check_pages()

    pages = ["/irt?status=all", f"/irt/contacts/{reference}", f"/irt/audit?reference={reference}"]
    for path in pages:
        staff.open(path)
        assert staff.page.evaluate("() => window.pwned") is None, path
        assert (
            staff.page.evaluate("() => document.querySelectorAll('main img, main script').length")
            == 0
        ), path
    staff.open(f"/irt/contacts/{reference}")
    assert SCRIPT in staff.page.inner_text("#referrer")
    assert IMAGE in staff.page.inner_text("#child")
    assert f"{SCRIPT}\n{IMAGE}" in staff.page.inner_text("#concern")
    assert f"{SCRIPT} {IMAGE}" in staff.page.inner_text("#decisions")

    staff.open("/irt?status=all&significant_harm=yes")
    exported = list(csv.DictReader(io.StringIO(staff.download("#csv-export"))))
    row = next(r for r in exported if r["Reference"] == reference)
    assert row["Referrer name"] == SCRIPT and row["Child name"] == IMAGE
    assert row["Referrer agency"] == '\'=HYPERLINK("http://x.example")'
    assert row["Parents or carers"] == "'+44 SUM(1,2)"
    assert staff.console_errors == []  # nothing was even tried against the CSP


# --- 4. signing in -----------------------------------------------------------------------------


def test_ten_wrong_passwords_lock_the_account(
    staff: StaffBrowser, stack: Stack, manager: tuple[str, str]
) -> None:
    username, password = manager
    for attempt in range(10):
        staff.sign_in(username, f"not the password {attempt}")
        assert REFUSED in staff.error_summary()
    staff.sign_in(username, password)
    assert REFUSED in staff.error_summary(), "a locked account signed in"
    assert staff.page.url.endswith("/irt/sign-in")
    with session(stack) as db:
        user = db.scalar(select(StaffUser).where(StaffUser.username == username))
        assert user is not None
        lock = db.scalar(select(StaffSignInLock).where(StaffSignInLock.user_id == user.id))
        assert lock is not None and lock.locked_until is not None  # for this client only
    failures = [a for a, _ in audit_events(stack, username)]
    assert failures == ["sign_in_failed"] * 11 and "sign_in" not in failures


def test_a_new_manager_enrols_the_authenticator_and_signs_in_with_a_code(
    staff: StaffBrowser, browser: Browser, stack: Stack, manager: tuple[str, str]
) -> None:
    """The second factor end to end: the first sign-in leads to the enrolment page, whose key
    the test's "authenticator" (pyotp) reads; the code confirms it, the recovery codes are
    shown once, and from then on signing in takes the password and a fresh code."""
    username, password = manager
    staff.sign_in(username, password, otp="")
    assert staff.page.url.endswith("/irt/enrol")
    assert staff.page.inner_text("h1") == "Set up your authenticator app"
    secret = staff.page.inner_text("#totp-secret").strip()
    assert secret == SECRETS[username]  # the one the account command printed
    assert "otpauth://totp/" in staff.page.inner_text("#totp-uri")
    staff.page.fill("#code", "000000")
    with staff.page.expect_navigation():
        staff.page.click("button:has-text('Confirm')")
    staff.check_pages()
    assert "The code is not right" in staff.error_summary()
    code, step = next_code(username)
    staff.page.fill("#code", code)
    with staff.page.expect_navigation():
        staff.page.click("button:has-text('Confirm')")
    used(username, step)
    staff.check_pages()
    assert staff.page.inner_text("h1") == "Your recovery codes"
    assert len(staff.page.query_selector_all("#recovery-codes li")) == 8
    with staff.page.expect_navigation():
        staff.page.click("a:has-text('Continue to the queue')")
    staff.check_pages()
    assert staff.page.inner_text("h1") == "Contacts queue"

    again = staff_browser(browser, stack)
    try:
        again.sign_in(username, password, otp="")
        assert REFUSED in again.error_summary()  # the password alone no longer does
        again.sign_in(username, password)  # with a fresh code
        assert again.page.inner_text("h1") == "Contacts queue"
    finally:
        again.close()
    assert ("second_factor_enrolled", None) in audit_events(stack, username)


def test_the_sign_in_answer_does_not_reveal_whether_the_account_exists(
    browser: Browser, stack: Stack, manager: tuple[str, str]
) -> None:
    username, _ = manager
    answers = []
    for name in (username, f"no-such-{username}"):
        opened = staff_browser(browser, stack)
        try:
            opened.sign_in(name, "a wrong password, long enough")
            main = opened.page.inner_html("main")
            main = re.sub(r'value="[^"]*"', 'value=""', main)  # the name typed, the token
            answers.append((opened.page.url, opened.page.title(), opened.error_summary(), main))
        finally:
            opened.close()
    assert answers[0] == answers[1]
    assert REFUSED in answers[0][2]
    with session(stack) as db:
        unknown = db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "sign_in_failed", AuditEvent.actor == "unknown"
            )
        ).all()
        assert unknown, "the unknown name's attempt was not audited"
        assert not any(f"no-such-{username}" in str(e.detail) for e in unknown)


# --- 5. statistics -----------------------------------------------------------------------------


def test_the_statistics_page_shows_the_numbers_in_the_database(
    staff: StaffBrowser, stack: Stack, manager: tuple[str, str], flagged: str
) -> None:
    staff.sign_in(*manager)
    staff.open("/irt/stats")
    first = date.fromisoformat(staff.page.input_value("#from"))
    last = date.fromisoformat(staff.page.input_value("#to"))
    assert (last - first).days == 29

    def cells(table: str) -> dict[str, int]:
        pairs = staff.page.eval_on_selector_all(
            f"#table-{table} tbody tr",
            "rows => rows.map(r => [r.cells[0].innerText.trim(), r.cells[1].innerText.trim()])",
        )
        return {label: int(value) for label, value in pairs}

    in_period = (AnonymousStatistic.day >= first, AnonymousStatistic.day <= last)
    with session(stack) as db:

        def events(event: str, channel: str | None = None) -> int:
            query = select(func.count()).where(AnonymousStatistic.event == event, *in_period)
            if channel:
                query = query.where(AnonymousStatistic.channel == channel)
            return db.scalar(query) or 0

        start = datetime.combine(first, time(0), tzinfo=LONDON)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=LONDON)
        contacts = (
            db.scalar(
                select(func.count()).where(Contact.created_at >= start, Contact.created_at < end)
            )
            or 0
        )
        expected_channels = {
            "Web chat": events("conversation_started", "web"),
            "SMS": events("conversation_started", "sms"),
        }
        expected_named = {
            "Named child": events("named_child_contact"),
            "Scenario": events("scenario_advice"),
        }
        closed = events("closed_attempt")

    assert expected_channels["Web chat"] > 0  # at least the module's own consultation
    assert cells("by-channel") == {**expected_channels, "Total": sum(expected_channels.values())}
    assert cells("named-scenario") == {**expected_named, "Total": sum(expected_named.values())}
    assert cells("closed")["Total"] == closed
    assert cells("by-day")["Total"] == sum(expected_channels.values())
    summary = staff.page.inner_text("#stats-summary")
    assert re.search(rf"Contacts recorded\s+{contacts}\b", summary), summary
    assert cells("decision-times")["Total"] == contacts
    assert staff.page.locator("svg.pcl-chart[role=img]").count() == 7
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    staff.page.screenshot(path=str(SCREENSHOTS / "irt-stats.png"), full_page=True)
    assert staff.console_errors == []


# --- 6. accessibility ----------------------------------------------------------------------


def test_axe_finds_no_serious_violations_on_the_staff_pages(
    browser: Browser, stack: Stack, manager: tuple[str, str], flagged: str
) -> None:
    # axe.min.js goes in as an inline script, which the CSP refuses: this context bypasses it.
    staff = staff_browser(browser, stack, bypass_csp=True)
    try:
        staff.open("/irt/sign-in")
        assert staff.axe() == []
        staff.sign_in(*manager)
        for path in ["/irt", f"/irt/contacts/{flagged}", "/irt/audit", "/irt/stats"]:
            staff.open(path)
            assert staff.axe() == [], path
    finally:
        staff.close()
