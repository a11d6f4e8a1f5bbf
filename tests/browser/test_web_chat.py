"""The web chat a council would publish, in a real browser (Debian's chromium) against the
real stack: whole consultations by keyboard alone, an accessibility scan, text shown as text,
the security headers on everything the page loads, and screenshots to look at."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route
from sqlalchemy.orm import Session

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine
from bot.domain.contact import ContactView
from tests.browser.conftest import AXE, SCREENSHOTS, open_chat_page
from tests.support.browser import ChatPage
from tests.support.pages import check_security_headers, csp_nonce
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"PCL-\d{4}-\d{6}")
# GOV.UK Frontend's focus colour ($govuk-focus-colour, yellow): every focused control shows it.
FOCUS_YELLOW = "rgb(255, 221, 0)"
# The pages' own assets; the page check and the header walk expect every one of them.
PAGE_ASSETS = {
    "/static/govuk/pcl.min.css",
    "/static/govuk/govuk-frontend.min.js",
    "/static/govuk-init.js",
    "/static/chat.js",
}


def read_contact(stack: Stack, reference: str) -> ContactView:
    engine = make_engine(stack.database_url or "")
    try:
        with Session(engine) as session:
            cipher = FieldCipher(stack.encryption_key, stack.blind_index_key)
            return ContactRepository(session, cipher, timezone="Europe/London").get(reference)
    finally:
        engine.dispose()


def count_contacts(stack: Stack) -> int:
    engine = make_engine(stack.database_url or "")
    try:
        with Session(engine) as session:
            cipher = FieldCipher(stack.encryption_key, stack.blind_index_key)
            return len(ContactRepository(session, cipher, timezone="Europe/London").list())
    finally:
        engine.dispose()


def start(chat: ChatPage) -> list[str]:
    """From the top of the page, Tab to the Start button and press it."""
    chat.open()
    replies = chat.choose("Start", backwards=False)
    assert "Derby City Council's Professional Consultation Line" in replies[0]
    assert chat.choices() == [
        "I'm a professional",
        "I'm DHCFT health staff",
        "I'm a parent or member of the public",
    ]
    return replies


def give_caller_details(chat: ChatPage, name: str, email: str) -> None:
    assert "What is your name?" in chat.choose("I'm a professional", key="Space")[-1]
    assert "role" in chat.say(name)[-1]
    assert "organisation" in chat.say("Designated safeguarding lead")[-1]
    assert "contact address" in chat.say("Derby Primary School")[-1]
    assert "telephone number" in chat.say(email)[-1]
    question = chat.say("01332 123456")[-1]
    # The choice is explained, on separate lines, before anything is said about a child.
    assert "Named child: we record it" in question and "Scenario: you don't name anyone" in question
    assert chat.choices() == ["Named child (recorded)", "Scenario (not recorded)"]


def focus_style(chat: ChatPage) -> dict[str, str]:
    return chat.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
        return {outline: s.outlineStyle + ' ' + s.outlineColor, background: s.backgroundColor,
                shadow: s.boxShadow}; }"""
    )


# --- 1. whole consultations by keyboard alone -----------------------------------------------


def test_a_named_child_consultation_by_keyboard_alone_is_recorded_as_a_contact(
    chat_page: ChatPage, in_hours: Stack
) -> None:
    chat = chat_page
    start(chat)
    # GOV.UK Frontend's JavaScript started its components (from a file: the CSP allows no
    # inline script without the nonce).
    assert chat.evaluate(
        "() => document.querySelector('#chat-form [data-module=govuk-character-count]')"
        ".hasAttribute('data-govuk-character-count-init')"
    )
    assert focus_style(chat)["background"] != FOCUS_YELLOW  # the focus has moved on
    give_caller_details(chat, "Jane Keyboard", "jane.keyboard@school.derby.sch.uk")

    chat.tab_to("Named child (recorded)", backwards=True)
    assert focus_style(chat)["background"] == FOCUS_YELLOW  # GOV.UK's visible focus
    chat.tab_to(id="chat-message")
    assert FOCUS_YELLOW in focus_style(chat)["outline"]

    assert "Derby city?" in chat.choose("Named child (recorded)")[-1]
    assert "open to Children's Social Care" in chat.choose("Yes, in Derby city")[-1]
    assert "child's full name" in chat.choose("No", key="Space")[-1]
    assert "date of birth" in chat.say("Tom Keyboard")[-1]
    assert "address" in chat.say("3 March 2016")[-1]
    assert "school, nursery" in chat.say("12 Oak Road, Derby DE1 2AB")[-1]
    assert "parents or carers" in chat.say("Derby Primary School")[-1]
    assert "other children in the household" in chat.say("His mother, Sarah Keyboard")[-1]
    assert "What is your concern?" in chat.choose("No")[-1]
    concern = "He has been late most mornings this term and his uniform is often unwashed"
    assert "Does the family know" in chat.say(concern)[-1]
    assert "significant harm" in chat.choose("Yes, they know and agree", key="Space")[-1]
    assert "which best describes" in chat.choose("No")[-1]
    assert "support already in place" in chat.choose("Some additional needs in one area")[-1]
    # The family's "yes" was the consent to early help too: the advice follows at once.
    advice = chat.choose("Early help in place: not met", key="Space")
    text = "\n".join(advice)
    assert "Suggested level of need: Intensive." in text
    assert "The decision is made by the Initial Response Team (IRT)." in text
    reference = REFERENCE.search(text)
    assert reference, text
    assert "Thank you for your feedback" in chat.choose("Yes, it helped")[-1]

    contact = read_contact(in_hours, reference.group(0))
    assert contact.channel == "web"
    assert contact.caller.name == "Jane Keyboard"
    assert contact.caller.role == "Designated safeguarding lead"
    assert contact.child.name == "Tom Keyboard"
    assert contact.child.date_of_birth == date(2016, 3, 3)
    assert contact.child.address == "12 Oak Road, Derby DE1 2AB"
    assert contact.concern == concern
    assert contact.family_aware == "yes"
    assert contact.suggested_level == "Intensive"
    assert not contact.significant_harm
    assert chat.console_errors == []


def test_a_scenario_consultation_by_keyboard_alone_records_nothing_and_can_be_ended(
    chat_page: ChatPage, in_hours: Stack
) -> None:
    chat = chat_page
    before = count_contacts(in_hours)
    start(chat)
    give_caller_details(chat, "Alex Scenario", "alex.scenario@nhs.net")
    assert "Derby city?" in chat.choose("Scenario (not recorded)", key="Space")[-1]
    assert "open to Children's Social Care" in chat.choose("Yes, in Derby city")[-1]
    assert "other children in the household" in chat.choose("No")[-1]
    assert "What is your concern?" in chat.choose("No")[-1]
    said = chat.say("A child often misses school")
    if said[-1].startswith("Do you think the child may be suffering"):
        # The classifier read possible harm: rule 7's confirming question, answered "No".
        said = chat.choose("No, that's not it")
    assert "Do you have reasonable cause to suspect" in said[-1]
    assert "which best describes" in chat.choose("No", key="Space")[-1]
    assert "support already in place" in chat.choose("Some additional needs in one area")[-1]
    assert "agree to early help" in chat.choose("Yes, it is meeting them")[-1]
    text = "\n".join(chat.choose("Yes, they know and agree", key="Space"))
    assert "Suggested level of need: Emerging needs." in text
    assert "As this was a scenario, nothing you've told me has been kept." in text
    assert not REFERENCE.search(text)
    assert count_contacts(in_hours) == before

    # "End conversation", by keyboard: "stop" goes to the assistant, then the page is cleared
    # of the conversation, keeping the goodbye with its 999 reminder.
    chat.tab_to("End conversation")
    chat.page.keyboard.press("Enter")
    chat.page.wait_for_function(
        "() => document.getElementById('chat-status').textContent.startsWith('Conversation ended')"
    )
    assert chat.user_messages() == []
    assistant = chat.assistant_messages()
    assert "OK, I've stopped." in assistant
    assert any("call 999" in m for m in assistant)
    assert chat.choices() == ["Start"]
    assert "Alex Scenario" not in chat.page.inner_text("#chat-log")
    assert chat.console_errors == []


def test_the_typing_indicator_and_a_retry_when_the_network_fails(chat_page: ChatPage) -> None:
    chat = chat_page
    chat.open()
    held: list[Route] = []

    def hold(route: Route) -> None:  # Playwright needs a Python function, not a builtin
        held.append(route)

    chat.page.route("**/chat/api/messages", hold)
    chat.tab_to(id="chat-message")
    chat.page.keyboard.type("hello")
    chat.page.keyboard.press("Enter")
    # While the assistant answers, a polite status says so.
    chat.page.wait_for_function(
        "() => document.getElementById('chat-status').textContent === 'The assistant is typing…'"
    )
    assert chat.page.get_attribute("#chat-status", "role") == "status"
    assert chat.user_messages() == ["hello"]
    # The network fails: the message comes back to the box and "Try again" takes the focus.
    for _ in range(100):  # Playwright hands over the held request while the test waits
        if held:
            break
        chat.page.wait_for_timeout(50)
    assert held, "the message never reached the network"
    # Each message carries a random id; "Try again" resends the same one (below).
    message_id = json.loads(held[-1].request.post_data or "{}").get("message_id", "")
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,64}", message_id), message_id
    held.pop().abort("internetdisconnected")
    chat.page.wait_for_selector("#chat-retry:not([hidden])")
    assert chat.page.input_value("#chat-message") == "hello"
    assert chat.user_messages() == []
    assert chat.focused()["id"] == "chat-retry-button"
    described_by = chat.page.get_attribute("#chat-retry-button", "aria-describedby")
    assert "was not sent" in chat.page.inner_text(f"#{described_by}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chat.page.screenshot(path=str(SCREENSHOTS / "chat-retry-1280.png"), full_page=True)

    chat.page.unroute("**/chat/api/messages")
    before = len(chat.assistant_messages())
    with chat.page.expect_request("**/chat/api/messages") as resent:
        chat.page.keyboard.press("Enter")  # on "Try again"
    assert json.loads(resent.value.post_data or "{}") == {"text": "hello", "message_id": message_id}
    replies = chat.wait_for_reply(before)
    assert "Professional Consultation Line" in replies[0]
    assert chat.user_messages() == ["hello"]
    assert chat.page.is_hidden("#chat-retry")
    assert chat.page.input_value("#chat-message") == ""


# --- 2. accessibility ------------------------------------------------------------------------


def axe_scan(chat: ChatPage, what: str) -> list[dict[str, Any]]:
    """Runs axe-core on the page; returns its violations (all impacts), after printing them."""
    if not chat.evaluate("() => typeof window.axe === 'object'"):
        chat.page.add_script_tag(path=str(AXE))
    results = chat.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: [
             'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    violations = results["violations"]
    for v in violations:
        print(f"axe [{what}] {v['impact']}: {v['id']} ({len(v['nodes'])} nodes) {v['help']}")
    print(f"axe [{what}] {len(results['passes'])} rules passed, {len(violations)} violated")
    return violations


def serious(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_or_critical_violations_before_and_during_a_conversation(
    browser: Browser, in_hours: Stack
) -> None:
    # axe.min.js goes in as an inline <script>, which the page's CSP rightly refuses; this
    # test alone opens its browser context with bypass_csp=True so that axe can run.
    chat = open_chat_page(browser, in_hours, bypass_csp=True)
    try:
        chat.open()
        assert serious(axe_scan(chat, "chat, before")) == []
        start(chat)
        chat.choose("I'm a professional")
        chat.say("Robin Axe")
        assert serious(axe_scan(chat, "chat, during")) == []
        chat.say("Health visitor")
        chat.say("Derby Health Visiting Team")
        chat.say("robin.axe@nhs.net")
        chat.say("01332 123456")  # the named child or scenario choice, on separate lines
        assert serious(axe_scan(chat, "chat, with choices")) == []

        chat.page.route("**/chat/api/messages", lambda route: route.abort())
        chat.tab_to(id="chat-message")
        chat.page.keyboard.type("a message that fails")
        chat.page.keyboard.press("Enter")
        chat.page.wait_for_selector("#chat-retry:not([hidden])")
        assert serious(axe_scan(chat, "chat, network failure")) == []
        chat.page.unroute("**/chat/api/messages")

        chat.page.set_viewport_size({"width": 320, "height": 640})
        assert serious(axe_scan(chat, "chat, 320 px")) == []
        chat.open("/chat/privacy")
        assert serious(axe_scan(chat, "privacy")) == []
    finally:
        chat.page.context.close()


# --- 3. text is text ---------------------------------------------------------------------------

MARKUP = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b>'


def no_markup_ran(chat: ChatPage) -> None:
    assert chat.evaluate("() => window.pwned") is None
    assert (
        chat.evaluate(
            "() => document.querySelectorAll('#chat-log img, #chat-log script, "
            "#chat-log b, #chat-log iframe').length"
        )
        == 0
    )


def test_what_the_caller_types_is_shown_as_text_and_never_run(chat_page: ChatPage) -> None:
    chat = chat_page
    start(chat)
    chat.choose("I'm a professional")
    chat.say(MARKUP)  # as the caller's name; say() checks it reads back exactly as typed
    chat.say("<script>window.pwned=3</script> & <i>teacher</i>")
    no_markup_ran(chat)
    assert chat.user_messages()[-2:] == [MARKUP, "<script>window.pwned=3</script> & <i>teacher</i>"]
    assert chat.console_errors == []


def test_an_assistant_reply_with_markup_is_shown_as_text_too(chat_page: ChatPage) -> None:
    chat = chat_page
    chat.open()
    reply = {
        "messages": [
            {
                "text": "See https://example.org/form. " + MARKUP + " javascript:alert(1)",
                "buttons": [{"title": "<b>Yes</b>", "payload": "/affirm"}],
            }
        ]
    }

    def fake_reply(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(reply))

    chat.page.route("**/chat/api/messages", fake_reply)
    replies = chat.say("hello")
    assert replies == [
        "See https://example.org/form (opens in new tab). " + MARKUP + " javascript:alert(1)"
    ]
    assert chat.choices() == ["<b>Yes</b>"]
    no_markup_ran(chat)
    links = chat.evaluate(
        "() => Array.from(document.querySelectorAll('#chat-log a'), a => "
        "[a.getAttribute('href'), a.target, a.rel])"
    )
    assert links == [["https://example.org/form", "_blank", "noreferrer noopener"]]


# --- 4. the security headers on everything the page loads --------------------------------------


def test_every_response_of_the_pages_and_their_assets_carries_the_security_headers(
    chat_page: ChatPage, in_hours: Stack
) -> None:
    chat = chat_page
    first = chat.open("/chat")
    chat.say("hello")
    second = chat.open("/chat")
    chat.open("/chat/privacy")

    paths = set()
    for response in chat.responses:
        url = urlsplit(response.url)
        assert f"{url.scheme}://{url.netloc}" == in_hours.api_url, f"left the origin: {url}"
        check_security_headers(response.all_headers(), response.url)
        paths.add(url.path)
    assert paths >= {"/chat", "/chat/privacy", "/chat/api/messages", *PAGE_ASSETS}
    static = {p for p in paths if p.startswith("/static/")}
    assert static == PAGE_ASSETS, f"the pages load assets this test does not know: {static}"
    assert csp_nonce(first.all_headers()) != csp_nonce(second.all_headers())
    assert chat.console_errors == []  # no Content-Security-Policy violation reported


# --- 5. layout at 1280 px, 320 px and 200 % zoom, with screenshots --------------------------------


@pytest.mark.parametrize(
    ("name", "viewport", "scale"),
    [
        ("chat-1280", {"width": 1280, "height": 900}, 1),
        ("chat-320", {"width": 320, "height": 640}, 1),
        # 200 % zoom of a 1280 px window: a 640 CSS px layout drawn at twice the pixels.
        ("chat-1280-zoom-200", {"width": 640, "height": 450}, 2),
    ],
)
def test_the_page_fits_the_width_and_is_screenshotted(
    browser: Browser, in_hours: Stack, name: str, viewport: dict[str, int], scale: int
) -> None:
    chat = open_chat_page(browser, in_hours, viewport=viewport, device_scale_factor=scale)
    try:
        start(chat)
        chat.choose("I'm a professional")
        chat.say("Sam Layout")
        chat.say("Class teacher")
        chat.say("Derby Primary School")
        chat.say("sam.layout@school.derby.sch.uk")
        chat.say("01332 123456")
        chat.tab_to(id="chat-message")
        chat.page.keyboard.type("A draft message")
        overflow = chat.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        chat.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        chat.open("/chat/privacy")
        overflow = chat.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} privacy: the page scrolls sideways by {overflow} px"
        chat.page.screenshot(
            path=str(SCREENSHOTS / name.replace("chat", "privacy")) + ".png", full_page=True
        )
        assert chat.console_errors == []
    finally:
        chat.page.context.close()
