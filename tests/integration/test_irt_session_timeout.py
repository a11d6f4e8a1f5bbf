"""The staff session's timeout, as the pages' warning (api/static/irt-session.js) relies on it:
the idle timeout comes from the settings (never more than 30 minutes), GET /irt/api/session
says how long is left without counting as activity when asked in the background, POST
/irt/api/session/refresh counts as activity (and needs the session and its CSRF token), every
signed-in page carries the dialog and its script with the nonce, and the sign-in page says why
a timed-out manager is there. The route walk (test_irt_route_guards) covers the new route too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from pydantic import ValidationError

from api.deps import BACKGROUND_HEADER
from tests.support.irt import PASSWORD, IrtApp, irt_app, irt_settings
from tests.support.pages import check_page

START = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
REFRESH = "/irt/api/session/refresh"


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(tmp_path, staff_idle_timeout_seconds=300, staff_timeout_warning_seconds=60) as app:
        app.add_user("manager", "irt_manager")
        yield app


def test_the_default_is_30_minutes_warned_2_minutes_before(tmp_path: Path) -> None:
    settings = irt_settings(tmp_path)
    assert settings.staff_idle_timeout_seconds == 1800
    assert settings.staff_timeout_warning_seconds == 120


@pytest.mark.parametrize(
    "values",
    [
        {"staff_idle_timeout_seconds": 1801},  # longer than SPEC §6's 30 minutes
        {"staff_idle_timeout_seconds": 5},
        {"staff_timeout_warning_seconds": 10},  # under WCAG 2.2.1's 20 seconds to answer
        {"staff_idle_timeout_seconds": 60, "staff_timeout_warning_seconds": 60},
    ],
)
def test_a_timeout_over_30_minutes_or_a_warning_too_short_or_too_late_is_refused(
    tmp_path: Path, values: dict[str, int]
) -> None:
    with pytest.raises(ValidationError):
        irt_settings(tmp_path, **values)


def test_the_shorter_idle_timeout_of_the_settings_ends_the_session(irt: IrtApp) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client, _ = irt.api_client("manager")
        clock.shift(timedelta(seconds=299))
        assert client.get("/irt/api/contacts").status_code == 200
        clock.shift(timedelta(seconds=300))
        assert client.get("/irt/api/contacts").status_code == 401


def test_the_time_left_is_reported_without_counting_as_activity(irt: IrtApp) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client, _ = irt.api_client("manager")
        clock.shift(timedelta(seconds=250))
        asked = client.get("/irt/api/session", headers={BACKGROUND_HEADER: "1"})
        assert asked.status_code == 200
        assert asked.json()["idle_seconds_left"] == 50
        assert asked.json()["idle_timeout_seconds"] == 300
        clock.shift(timedelta(seconds=50))
        assert client.get("/irt/api/session", headers={BACKGROUND_HEADER: "1"}).status_code == 401


def test_stay_signed_in_refreshes_the_session_and_needs_its_csrf_token(irt: IrtApp) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client, csrf = irt.api_client("manager")
        clock.shift(timedelta(seconds=250))
        assert client.post(REFRESH).status_code == 403
        assert client.post(REFRESH, headers={"X-CSRF-Token": "forged"}).status_code == 403
        refreshed = client.post(REFRESH, headers={"X-CSRF-Token": csrf})
        assert refreshed.status_code == 200
        assert refreshed.json()["idle_seconds_left"] == 300
        assert refreshed.json()["username"] == "manager"
        clock.shift(timedelta(seconds=250))  # 500 s after signing in, 250 s after the refresh
        assert client.get("/irt/api/contacts").status_code == 200
        assert irt.new_client().post(REFRESH, headers={"X-CSRF-Token": csrf}).status_code == 401


def test_the_refresh_does_not_pass_the_8_hour_limit(irt: IrtApp) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client, csrf = irt.api_client("manager")
        for _ in range(8 * 60 // 4):
            clock.shift(timedelta(minutes=4))
            response = client.post(REFRESH, headers={"X-CSRF-Token": csrf})
            if response.status_code != 200:
                break
            assert response.json()["idle_seconds_left"] <= 300
        assert response.status_code == 401


def test_every_signed_in_page_carries_the_warning_and_the_sign_in_page_does_not(
    irt: IrtApp,
) -> None:
    client, csrf = irt.page_client("manager")
    for path in ("/irt", "/irt/audit", "/irt/stats"):
        page = client.get(path)
        check_page(page.text, page.headers)
        assert 'id="timeout-dialog" role="dialog" aria-modal="true"' in page.text, path
        assert 'data-idle-seconds="300"' in page.text and 'data-warning-seconds="60"' in page.text
        assert f'data-csrf-token="{csrf}"' in page.text
        assert 'aria-live="polite"' in page.text
        assert '<script src="/static/irt-session.js"' in page.text
    sign_in = irt.new_client().get("/irt/sign-in")
    check_page(sign_in.text, sign_in.headers)
    assert "timeout-dialog" not in sign_in.text and "irt-session.js" not in sign_in.text


def test_the_sign_in_page_says_why_after_a_timeout_and_returns_to_the_page(irt: IrtApp) -> None:
    client = irt.new_client()
    page = client.get("/irt/sign-in", params={"timed_out": "true", "next": "/irt/contacts/X-1"})
    check_page(page.text, page.headers)
    assert "You were signed out because you had not used these pages for 5 minutes" in page.text
    assert 'name="next" value="/irt/contacts/X-1"' in page.text
    signed_out = client.get("/irt/sign-in", params={"signed_out": "true"})
    assert "You have signed out." in signed_out.text
    assert PASSWORD not in page.text
