"""Issue 18's staff pages in a real browser (Debian's chromium) against the real stack, by
keyboard alone, axe-core clean, and fitting 320 px and 200 % zoom (screenshots under
var/screenshots):

- an administrator adds an IRT manager's account, disables it, re-enables it and resets its
  password, each change in the audit trail; the new account then signs in and is sent to
  enrol its authenticator app, as one the command line made;
- a manager narrows the queue with the GOV.UK date inputs (and is led to a wrong date by the
  error summary), reads the triage columns (the child's first name and age band, the concern's
  first words, the harm categories, the wait against the IRT's one working day) and keeps
  only the contacts waiting longer than a day.

The page check runs on every page the browser is sent. The API's clock is the stack's
IN_HOURS, Thursday 26 November 2026 at 11:00.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine
from bot.adapters.db.models import AuditEvent
from bot.domain.contact import ChildDetails, NewContact
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

NEW_PASSWORD = "pass it on by phone please"
RESET_PASSWORD = "another one for the desk"
# Tuesday 24 November, 10:00: due on Wednesday at 10:00, so waiting longer than a day at the
# API's 11:00 on Thursday. Thursday 10:30: due on Friday.
OVERDUE_AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
FRESH_AT = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)
WINDOW = "date_from=2026-11-24&date_to=2026-11-26"


@pytest.fixture
def admin(stack: Stack) -> tuple[str, str]:
    return add_staff(stack, "admin")


@pytest.fixture
def manager(stack: Stack) -> tuple[str, str]:
    return add_staff(stack, "irt_manager")


@pytest.fixture
def staff(browser: Browser, in_hours: Stack) -> Iterator[StaffBrowser]:
    opened = staff_browser(browser, in_hours, bypass_csp=True)  # for axe's inline script
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def triage_contacts(stack: Stack) -> tuple[str, str]:
    """Two flagged contacts (so they sort among the first), one past its decision time."""
    with Session(make_engine(stack.database_url or "")) as db, db.begin():
        cipher = FieldCipher(stack.encryption_key, stack.blind_index_key)
        contacts = ContactRepository(db, cipher, timezone="Europe/London")
        overdue = contacts.create(
            NewContact(
                channel="web",
                created_at=OVERDUE_AT,
                child=ChildDetails(name="Poppy Triage", date_of_birth=date(2023, 5, 1)),
                concern="Poppy came to nursery with a burn on her hand and her dad said she "
                "touched the oven while he was asleep",
                significant_harm=True,
                harm_categories=["injury", "neglect"],
            )
        )
        fresh = contacts.create(
            NewContact(
                channel="sms",
                created_at=FRESH_AT,
                child=ChildDetails(name="Marcus", age_years=14),
                concern="Marcus says an older man online keeps asking to meet him",
                significant_harm=True,
                harm_categories=["exploitation"],
            )
        )
    return overdue, fresh


def audit_of(stack: Stack, actor: str) -> list[tuple[str, dict[str, object]]]:
    with Session(make_engine(stack.database_url or "")) as db:
        rows = db.scalars(
            select(AuditEvent).where(AuditEvent.actor == actor).order_by(AuditEvent.id)
        )
        return [(e.action, e.detail or {}) for e in rows]


def press_enter_on(staff: StaffBrowser, text: str | None = None, *, id: str | None = None) -> None:
    """Tab to a link or button, press Enter and wait for the page it leads to."""
    staff.chat.tab_to(text, id=id, limit=120)
    with staff.page.expect_navigation():
        staff.page.keyboard.press("Enter")
    staff.check_pages()


def type_into(staff: StaffBrowser, field: str, text: str) -> None:
    staff.chat.tab_to(id=field, limit=120)
    staff.page.keyboard.type(text)


def row_text(staff: StaffBrowser, reference: str) -> str:
    return " ".join(staff.page.inner_text(f"tr:has([data-reference='{reference}'])").split())


# --- accounts ---------------------------------------------------------------------------------


def test_an_admin_adds_disables_re_enables_and_resets_an_account_by_keyboard(
    staff: StaffBrowser, browser: Browser, in_hours: Stack, admin: tuple[str, str]
) -> None:
    username = f"jo-{secrets.token_hex(3)}"
    staff.open("/irt/sign-in")
    keyboard_sign_in(staff, *admin)
    press_enter_on(staff, "Accounts")
    assert staff.page.inner_text("h1") == "Staff accounts"
    assert staff.axe() == []
    press_enter_on(staff, "Add an IRT manager's account")
    assert staff.page.inner_text("h1") == "Add an IRT manager's account"
    assert staff.axe() == []

    type_into(staff, "username", username)
    type_into(staff, "password", NEW_PASSWORD)
    type_into(staff, "confirm-password", NEW_PASSWORD + " (a typo)")
    with staff.page.expect_navigation():
        staff.page.keyboard.press("Enter")
    staff.check_pages()
    assert "The two passwords are different" in staff.error_summary()
    assert staff.axe() == []
    staff.chat.tab_to("The two passwords are different")  # the summary's link, in the page
    staff.page.keyboard.press("Enter")
    staff.page.wait_for_function("() => document.activeElement.id === 'confirm-password'")
    type_into(staff, "password", NEW_PASSWORD)
    staff.chat.tab_to(id="confirm-password")
    staff.page.keyboard.press("Control+A")
    staff.page.keyboard.type(NEW_PASSWORD)
    with staff.page.expect_navigation():
        staff.page.keyboard.press("Enter")
    staff.check_pages()
    assert staff.page.inner_text("h1") == f"Account {username}"
    assert "The account has been added" in staff.page.inner_text(".govuk-notification-banner")
    assert staff.page.inner_text("#account-state") == "Active"
    assert staff.axe() == []

    press_enter_on(staff, "Disable account")
    assert staff.page.inner_text("#account-state") == "Disabled"
    press_enter_on(staff, "Re-enable account")
    assert staff.page.inner_text("#account-state") == "Active"
    type_into(staff, "new-password", RESET_PASSWORD)
    type_into(staff, "new-confirm-password", RESET_PASSWORD)
    press_enter_on(staff, "Reset password")
    assert "The password has been reset" in staff.page.inner_text(".govuk-notification-banner")
    assert staff.axe() == []
    assert staff.console_errors == []

    changes = [(a, d) for a, d in audit_of(in_hours, admin[0]) if d.get("account") == username]
    assert [a for a, _ in changes] == [
        "add_account",
        "disable_account",
        "enable_account",
        "reset_password",
    ]

    holder = staff_browser(browser, in_hours)
    try:
        holder.sign_in(username, NEW_PASSWORD, otp="")
        assert "The username or password is not right" in holder.error_summary()
        holder.sign_in(username, RESET_PASSWORD, otp="")
        assert holder.page.url.endswith("/irt/enrol")  # as a command-line account's would
        assert holder.page.inner_text("h1") == "Set up your authenticator app"
    finally:
        holder.close()


# --- the queue --------------------------------------------------------------------------------


def test_a_manager_triages_the_queue_and_keeps_those_waiting_longer_than_a_day(
    staff: StaffBrowser, in_hours: Stack, manager: tuple[str, str], triage_contacts: tuple[str, str]
) -> None:
    overdue, fresh = triage_contacts
    staff.open("/irt/sign-in")
    keyboard_sign_in(staff, *manager)
    assert staff.page.inner_text("h1") == "Contacts queue"

    # A date that does not exist: the error summary leads to its first field.
    type_into(staff, "date_from-day", "31")
    staff.page.keyboard.press("Tab")
    staff.page.keyboard.type("2")
    staff.page.keyboard.press("Tab")
    staff.page.keyboard.type("2026")
    with staff.page.expect_navigation():
        staff.page.keyboard.press("Enter")
    staff.check_pages()
    assert "Received from must be a real date" in staff.error_summary()
    assert staff.axe() == []
    staff.chat.tab_to("Received from must be a real date", limit=120)
    staff.page.keyboard.press("Enter")
    staff.page.wait_for_function("() => document.activeElement.id === 'date_from-day'")

    for field, value in (("day", "24"), ("month", "11"), ("year", "2026")):
        staff.page.keyboard.press("Control+A")
        staff.page.keyboard.type(value)
        if field != "year":
            staff.page.keyboard.press("Tab")
    for field, value in (("date_to-day", "26"), ("date_to-month", "11"), ("date_to-year", "2026")):
        type_into(staff, field, value)
    press_enter_on(staff, "Apply filters")
    assert staff.page.url.endswith("date_from=2026-11-24&date_to=2026-11-26") or (
        "date_from-day=24" in staff.page.url
    )
    late = row_text(staff, overdue)
    assert "Poppy 1 to 4" in late
    assert "Poppy came to nursery with a burn on her hand and her…" in late
    assert "Injury, Neglect" in late
    assert "Waiting longer than a day" in late and "Decision was due by 25 Nov 2026, 10:00" in late
    waiting = row_text(staff, fresh)
    assert "Marcus 10 to 15" in waiting and "Exploitation" in waiting
    assert "Decision due by 27 Nov 2026, 10:30" in waiting
    assert "Waiting longer than a day" not in waiting
    assert staff.axe() == []

    staff.chat.tab_to(id="overdue", limit=120)
    staff.page.keyboard.press("Space")
    assert staff.page.is_checked("#overdue")
    press_enter_on(staff, "Apply filters")
    shown = staff.page.eval_on_selector_all(
        "#queue-table [data-reference]",
        "cells => cells.map(c => [c.dataset.reference, c.dataset.overdue])",
    )
    assert [overdue, "true"] in shown and fresh not in {ref for ref, _ in shown}
    assert all(flag == "true" for _, flag in shown)
    assert staff.page.is_checked("#overdue")
    assert "overdue=yes" in (staff.page.get_attribute("#csv-export", "href") or "")
    assert staff.axe() == []
    assert staff.console_errors == []


# --- 320 px and 200 % zoom ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "options"), [("320", NARROW), ("zoom-200", ZOOM_200)])
def test_the_queue_and_the_account_pages_fit_320_px_and_200_percent_zoom(
    browser: Browser,
    in_hours: Stack,
    admin: tuple[str, str],
    triage_contacts: tuple[str, str],
    name: str,
    options: dict[str, object],
) -> None:
    staff = staff_browser(browser, in_hours, bypass_csp=True, **options)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        staff.sign_in(*admin)
        for path, shot in (
            (f"/irt?{WINDOW}", "irt-queue-triage"),
            (f"/irt?{WINDOW}&overdue=yes", "irt-queue-overdue"),
            ("/irt?date_from-day=31&date_from-month=2&date_from-year=2026", "irt-queue-date-error"),
            ("/irt/admin/users", "irt-accounts"),
            ("/irt/admin/users/new", "irt-account-new"),
            (f"/irt/admin/users/{admin[0]}", "irt-account"),
        ):
            staff.open(path)
            fits_the_width(staff, f"{path} at {name}")
            assert staff.axe() == [], f"{path} at {name}"
            staff.page.screenshot(path=str(SCREENSHOTS / f"{shot}-{name}.png"), full_page=True)
        assert staff.console_errors == []
    finally:
        staff.close()
