"""What the IRT sees of a flagged contact's alert to the duty phone: its state on the queue and
on the contact page; red when not delivered within two minutes of the flag (or failed), green
once delivered."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.db.alerts import AlertRepository
from tests.support.irt import IrtApp, irt_app
from tests.support.pages import check_page


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(tmp_path) as app:
        app.add_user("manager")
        yield app


def flagged_with_alert(irt: IrtApp, age: timedelta, *, sid: str | None = None) -> str:
    """A flagged contact with its alert queued `age` ago (and sent as `sid`)."""
    at = datetime.now(UTC) - age
    reference = irt.add_contact(created_at=at, significant_harm=True)
    with irt.sessions.begin() as session:
        alerts = AlertRepository(session, now=lambda: at)
        alerts.add(reference, f"alert {reference}")
        if sid:
            [alert] = alerts.due(at)
            assert alerts.claim(alert.id, at, at + timedelta(seconds=30))
            alerts.sent(alert.id, sid, at, at + timedelta(minutes=2))
    return reference


def tag_of(html: str, reference: str) -> tuple[str, str]:
    """The alert tag's status and lateness on the queue's row of `reference`."""
    row = re.search(rf'data-reference="{reference}".*?</tr>', html, re.S)
    assert row is not None
    found = re.search(r'data-alert-status="(\w+)" data-alert-late="(\w+)"', row.group(0))
    assert found is not None, row.group(0)
    return found.group(1), found.group(2)


def test_the_queue_shows_each_alert_and_a_late_one_in_red(irt: IrtApp) -> None:
    on_its_way = flagged_with_alert(irt, timedelta(seconds=10), sid="SM" + "1" * 32)
    late = flagged_with_alert(irt, timedelta(minutes=3), sid="SM" + "2" * 32)
    delivered = flagged_with_alert(irt, timedelta(minutes=5), sid="SM" + "3" * 32)
    with irt.sessions.begin() as session:
        now = datetime.now(UTC)
        assert AlertRepository(session).reported("SM" + "3" * 32, True, None, now, now)
    no_alert = irt.add_contact()
    client, _ = irt.page_client("manager")
    response = client.get("/irt")
    assert check_page(response.text, response.headers) == "Contacts queue"
    html = response.text
    assert tag_of(html, on_its_way) == ("sent", "false")
    assert tag_of(html, late) == ("sent", "true")
    assert tag_of(html, delivered) == ("delivered", "false")
    late_row = re.search(rf'data-reference="{late}".*?</tr>', html, re.S)
    assert late_row is not None and "govuk-tag--red" in late_row.group(0)
    assert "not delivered within 2 minutes" in late_row.group(0)
    no_alert_row = re.search(rf'data-reference="{no_alert}".*?</tr>', html, re.S)
    assert no_alert_row is not None and "data-alert-status" not in no_alert_row.group(0)


def test_the_contact_page_shows_its_alert_state(irt: IrtApp) -> None:
    reference = flagged_with_alert(irt, timedelta(seconds=30), sid="SM" + "4" * 32)
    with irt.sessions.begin() as session:
        now = datetime.now(UTC)
        AlertRepository(session).reported("SM" + "4" * 32, True, None, now, now)
    client, _ = irt.page_client("manager")
    html = client.get(f"/irt/contacts/{reference}").text
    assert 'data-alert-status="delivered"' in html
    assert "Alert to the duty phone: delivered" in html
    assert "govuk-tag--green" in html


def test_a_possible_flood_and_a_held_alert_are_shown_on_the_queue_and_the_contact_page(
    irt: IrtApp,
) -> None:
    reference = flagged_with_alert(irt, timedelta(seconds=10))
    with irt.sessions.begin() as session:
        irt.repository(session).mark_flooding_source(reference)
        alerts = AlertRepository(session)
        [alert] = alerts.due(datetime.now(UTC))
        alerts.hold(alert.id, datetime.now(UTC))
    real = flagged_with_alert(irt, timedelta(seconds=5), sid="SM" + "5" * 32)
    client, _ = irt.page_client("manager")
    response = client.get("/irt")
    assert check_page(response.text, response.headers) == "Contacts queue"
    html = response.text
    assert html.index(f'data-reference="{real}"') < html.index(f'data-reference="{reference}"')
    row = re.search(rf'data-reference="{reference}".*?</tr>', html, re.S)
    assert row is not None and "Possible flood" in row.group(0)
    assert tag_of(html, reference) == ("held", "false")
    real_row = re.search(rf'data-reference="{real}".*?</tr>', html, re.S)
    assert real_row is not None and "Possible flood" not in real_row.group(0)
    page = client.get(f"/irt/contacts/{reference}")
    assert check_page(page.text, page.headers).startswith("Contact")
    assert 'id="possible-flood"' in page.text and "held back (too many at once)" in page.text
