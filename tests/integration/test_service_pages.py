"""The pages about the whole service, without a browser: the accessibility statement
(regulation 8 of the Public Sector Bodies Accessibility Regulations 2018, in the model
statement's shape) and the cookies page pass the page check, name what they must, and are
linked from every footer, the chat's and the staff pages' alike; and the chat page says
whether the line is open now, by the same rule as the assistant's replies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from api.routes.chat import COOKIE as CONVERSATION_COOKIE
from api.staff_cookies import COOKIE as STAFF_COOKIE
from api.staff_cookies import SIGN_IN_COOKIE
from bot.adapters.service_file import load_facts
from bot.domain.messages import closed
from tests.support.irt import IrtApp, irt_app
from tests.support.pages import check_page

LONDON = ZoneInfo("Europe/London")
FOOTER_LINKS = ("/chat/privacy", "/accessibility-statement", "/cookies")


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(tmp_path) as app:
        app.add_user("manager", "irt_manager")
        app.add_user("admin", "admin")
        yield app


def footer_links(html: str) -> list[str]:
    footer = html.split('class="govuk-width-container pcl-footer"', 1)[1]
    return re.findall(r'href="([^"]+)"', footer)


@pytest.mark.parametrize(
    ("path", "h1"),
    [
        (
            "/accessibility-statement",
            "Accessibility statement for the Professional Consultation Line",
        ),
        ("/cookies", "Cookies"),
    ],
)
def test_each_page_passes_the_page_check_signed_in_or_not(irt: IrtApp, path: str, h1: str) -> None:
    manager, _ = irt.page_client("manager")
    for client in (irt.new_client(), manager):
        response = client.get(path)
        assert response.status_code == 200
        assert check_page(response.text, response.headers) == h1
        assert response.headers["cache-control"] == "no-store"
        assert response.cookies.get(STAFF_COOKIE) is None  # a page to read, never a sign-in


def test_every_footer_links_to_the_privacy_notice_the_statement_and_the_cookies(
    irt: IrtApp,
) -> None:
    anonymous = irt.new_client()
    manager, _ = irt.page_client("manager")
    admin, _ = irt.page_client("admin")
    pages = [
        (
            anonymous,
            ["/chat", "/chat/privacy", "/accessibility-statement", "/cookies", "/irt/sign-in"],
        ),
        (manager, ["/irt", "/irt/audit", "/irt/stats"]),
        (admin, ["/irt/admin/users"]),
    ]
    for client, paths in pages:
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            links = footer_links(response.text)
            assert all(link in links for link in FOOTER_LINKS), (path, links)


def test_the_statement_has_the_model_statements_parts(irt: IrtApp) -> None:
    text = " ".join(irt.new_client().get("/accessibility-statement").text.split())
    for part in (
        "How accessible this service is",
        "Feedback and contact information",
        "in a different format",
        "Enforcement procedure",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Advisory and Support Service (EASS)",
        "Equality Commission for Northern Ireland (ECNI)",
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
        "Regulations 2018",
        "Compliance status",
        "partially compliant",
        "Web Content Accessibility Guidelines version 2.2",
        "Non-accessible content",
        "Disproportionate burden",
        "Preparation of this accessibility statement",
        "automated axe-core checks and keyboard-only browser tests",
        "[date to be confirmed by Derby City Council]",
        "07812 300329",  # the line's number, from the service file
        "30 minutes",  # the staff timeout, from the settings
    ):
        assert part in text, part


def test_the_cookies_page_names_the_cookies_the_code_sets(irt: IrtApp) -> None:
    text = " ".join(irt.new_client().get("/cookies").text.split())
    for cookie in (CONVERSATION_COOKIE, STAFF_COOKIE, SIGN_IN_COOKIE):
        assert f'<code class="pcl-cookie-name">{cookie}</code>' in text, cookie
    assert "strictly necessary" in text and "no cookie banner" in text
    assert "after 30 minutes without activity, or 8 hours after you signed in" in text
    assert "1 hour, or when you sign in" in text
    assert "When you close your browser" in text


def test_the_sign_in_cookie_lasts_as_long_as_the_cookies_page_says(irt: IrtApp) -> None:
    response = irt.new_client().get("/irt/sign-in")
    assert "max-age=3600" in response.headers["set-cookie"].lower()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (
            "2026-11-26T11:00:00+00:00",
            "The Professional Consultation Line is open now, until 4pm today.",
        ),
        (
            "2026-11-26T09:30:00+00:00",
            "The Professional Consultation Line is closed now. It next opens today at 10am.",
        ),
        (
            "2026-11-28T11:00:00+00:00",
            "The Professional Consultation Line is closed now. It next opens Monday 30 November "
            "at 10am.",
        ),
        (  # Christmas Day and Boxing Day (a Saturday, so Monday 28th is the bank holiday)
            "2026-12-25T11:00:00+00:00",
            "The Professional Consultation Line is closed now. It next opens Tuesday 29 December "
            "at 10am.",
        ),
    ],
)
def test_the_chat_page_says_whether_the_line_is_open_now(
    tmp_path: Path, moment: str, expected: str
) -> None:
    with irt_app(tmp_path, now=moment) as app:
        page = app.new_client().get("/chat")
    check_page(page.text, page.headers)
    shown = re.search(r'id="line-now"><strong>([^<]+)</strong>', page.text)
    assert shown is not None
    assert shown.group(1) == expected
    at = datetime.fromisoformat(moment)
    if "closed" in expected:  # the assistant's own closed reply says the same
        assert expected.split("It next opens ")[1].rstrip(".") in closed(load_facts(), at)[0]
