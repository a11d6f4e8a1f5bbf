"""The record a professional keeps (issue 16, part 6), in a real browser: after the advice, a
summary to print and a plain-text file to download, both made in the browser from the
conversation shown, by keyboard alone and with no serious accessibility problem; after a
scenario ends, the marker typed in it is in no file the system wrote."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import open_chat_page
from tests.browser.test_web_chat import REFERENCE, axe_scan, give_caller_details, serious, start
from tests.e2e.test_scenario_leaves_no_trace import files_containing
from tests.support.browser import ChatPage
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

# Records what would have gone to the printer, instead of opening the print dialog.
CATCH_PRINT = """() => { window.__printed = [];
  window.print = () => window.__printed.push([...document.querySelectorAll(
    '#chat-print-summary p')].map(p => p.textContent).join('\\n')); }"""


def download_summary(chat: ChatPage, tmp_path: Path) -> str:
    chat.tab_to("Download a summary (text file)")
    with chat.page.expect_download() as info:
        chat.page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.startswith("consultation-summary-")
    assert download.suggested_filename.endswith(".txt")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path.read_text(encoding="utf-8")


def print_summary(chat: ChatPage) -> str:
    chat.evaluate(CATCH_PRINT)
    chat.tab_to("Print a summary")
    chat.page.keyboard.press("Enter")
    chat.page.wait_for_function("() => window.__printed.length === 1")
    printed = chat.evaluate("() => window.__printed[0]")
    # On paper only the summary shows.
    chat.page.emulate_media(media="print")
    assert chat.page.is_visible("#chat-print-summary")
    assert not chat.page.evaluate(
        "() => getComputedStyle(document.querySelector('h1')).visibility === 'visible'"
    )
    chat.page.emulate_media(media="screen")
    assert not chat.page.is_visible("#chat-print-summary")
    return printed


def test_a_named_child_summary_is_printed_and_downloaded_by_keyboard(
    browser: Browser, in_hours: Stack, tmp_path: Path
) -> None:
    chat = open_chat_page(browser, in_hours, bypass_csp=True, accept_downloads=True)
    try:
        start(chat)
        assert not chat.page.is_visible("#chat-summary")  # nothing to keep yet
        give_caller_details(chat, "Sam Summary", "sam.summary@school.derby.sch.uk")
        chat.choose("Named child (recorded)")
        chat.choose("Yes, in Derby city")
        chat.choose("No", key="Space")
        for answer in (
            "Mia Summary",
            "3 March 2016",
            "12 Oak Road, Derby DE1 2AB",
            "Derby Primary School",
            "Her mother",
        ):
            chat.say(answer)
        chat.choose("No")
        chat.say("She has been late most mornings this term and seems tired")
        chat.choose("Yes, they know and agree")
        chat.choose("No")
        chat.choose("Some additional needs in one area")
        advice = "\n".join(chat.choose("Partly"))
        reference = REFERENCE.search(advice)
        assert reference, advice
        assert chat.page.is_visible("#chat-summary")
        assert serious(axe_scan(chat, "chat, with the summary")) == []

        text = download_summary(chat, tmp_path)
        assert "Date and time: " in text
        assert "Named child: Mia Summary" in text
        assert f"Contact reference: {reference.group(0)}" in text
        assert "Suggested level of need: Emerging needs." in text
        assert "Why: " in text
        assert "Early Help Assessment" in text
        assert "The decision is made by the Initial Response Team (IRT)." in text

        printed = print_summary(chat)
        assert f"Contact reference: {reference.group(0)}" in printed
        assert "Suggested level of need: Emerging needs." in printed
        assert chat.console_errors == []
    finally:
        chat.page.context.close()


def test_a_scenario_summary_is_downloaded_and_nothing_is_kept_after_it_ends(
    browser: Browser, in_hours: Stack, tmp_path: Path
) -> None:
    marker = "zqx" + secrets.token_hex(8)
    chat = open_chat_page(browser, in_hours, accept_downloads=True)
    try:
        start(chat)
        give_caller_details(chat, f"Jo {marker}", "jo.scenario@nhs.net")
        chat.choose("Scenario (not recorded)")
        chat.choose("Yes, in Derby city")
        chat.choose("No")
        chat.choose("Yes")  # other children: Think family in the advice
        chat.say(f"A year 3 child seems withdrawn ({marker}) after moving house")
        chat.choose("No")
        chat.choose("Some additional needs in one area")
        chat.choose("Partly")
        advice = "\n".join(chat.choose("Not asked yet"))
        assert "As this was a scenario" in advice and not REFERENCE.search(advice)

        text = download_summary(chat, tmp_path)
        assert "Scenario: not recorded" in text
        assert "Suggested level of need: Emerging needs." in text
        assert "Think family" in text
        printed = print_summary(chat)
        assert "Scenario: not recorded" in printed

        assert "Thank you for your feedback" in chat.choose("Yes, it helped")[-1]
        # The conversation has ended: the marker is in no file the system wrote.
        assert files_containing(in_hours.data_dir, marker) == []

        chat.tab_to("End conversation")
        chat.page.keyboard.press("Enter")
        chat.page.wait_for_function(
            "() => document.getElementById('chat-status').textContent"
            ".startsWith('Conversation ended')"
        )
        assert not chat.page.is_visible("#chat-summary")
        assert (
            chat.evaluate("() => document.getElementById('chat-print-summary').textContent") == ""
        )
        assert chat.console_errors == []
    finally:
        chat.page.context.close()
