"""Signing in to the IRT review over HTTP: the cookie's flags, one answer whatever was wrong,
the lock after ten wrong passwords, sessions that expire on the server (time-machine), CSRF
on every form and JSON POST, and the audit events of signing in."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from fastapi import Response
from fastapi.testclient import TestClient

from api.staff_cookies import set_session_cookie
from bot.adapters.crypto import generate_key
from bot.adapters.db.staff import StaffRepository
from bot.adapters.settings import Settings
from bot.services.staff_auth import SIGN_IN_REFUSED
from tests.support.irt import PASSWORD, IrtApp, csrf_field, irt_app, sign_in_with_form
from tests.support.pages import check_page

START = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(tmp_path) as app:
        app.add_user("manager")
        yield app


def login(irt: IrtApp, client: TestClient, username: str, password: str) -> tuple[int, dict]:
    """A JSON sign-in with the account's current code (a made-up one for no account)."""
    otp = irt.otp(username)
    response = client.post(
        "/irt/api/login", json={"username": username, "password": password, "otp": otp}
    )
    return response.status_code, response.json()


def cookie_header(response: object) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return next(h for h in headers if h.startswith("pcl_staff="))


# --- the cookie ---------------------------------------------------------------------------


def test_signing_in_sets_an_httponly_lax_cookie_for_the_staff_pages_only(irt: IrtApp) -> None:
    client = irt.new_client()
    response = client.post(
        "/irt/api/login",
        json={"username": "manager", "password": PASSWORD, "otp": irt.otp("manager")},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "manager" and body["role"] == "irt_manager"
    assert body["idle_timeout_seconds"] == 1800 and body["absolute_timeout_seconds"] == 28800
    cookie = cookie_header(response).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/irt" in cookie
    assert "secure" not in cookie  # the test environment is plain HTTP
    assert "expires" not in cookie and "max-age" not in cookie  # the server ends sessions
    assert body["csrf_token"] not in cookie_header(response)


def test_the_cookie_is_secure_in_production() -> None:
    production = Settings(  # type: ignore[call-arg]
        env="production",
        rasa_token="r" * 40,
        hmac_key="h" * 40,
        encryption_keys=generate_key(),
        blind_index_key=generate_key(),
        database_url="postgresql+psycopg://db.invalid/pcl",
    )
    response = Response()
    set_session_cookie(response, "value", production)
    cookie = response.headers["set-cookie"].lower()
    assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    # The __Host- prefix: Secure, the path /, no Domain, so no other host can plant it.
    assert cookie.startswith("__host-pcl_staff=") and "path=/;" in cookie + ";"
    assert "domain" not in cookie


def test_the_sign_in_page_passes_the_page_check(irt: IrtApp) -> None:
    response = irt.new_client().get("/irt/sign-in")
    assert check_page(response.text, response.headers) == "Sign in"
    assert 'autocomplete="current-password"' in response.text


# --- one answer whatever was wrong ----------------------------------------------------------


def _normalised(html: str, username: str) -> str:
    """The page without what differs by design: the nonce, the form's token, the name typed."""
    html = re.sub(r'nonce="[^"]+"', 'nonce=""', html)
    html = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)
    return html.replace(f'value="{username}"', 'value=""')


def test_the_answer_is_the_same_for_no_account_a_wrong_password_a_lock_or_a_disabled_account(
    irt: IrtApp,
) -> None:
    irt.add_user("locked")
    irt.add_user("disabled")
    client = irt.new_client()
    for _ in range(10):
        login(irt, client, "locked", "a wrong password")
    with irt.sessions.begin() as session:
        StaffRepository(session).disable("disabled", START)

    answers = {
        name: login(irt, client, name, password)
        for name, password in [
            ("nobody", PASSWORD),
            ("manager", "a wrong password"),
            ("locked", PASSWORD),
            ("disabled", PASSWORD),
        ]
    }
    assert set(map(str, answers.values())) == {str((401, {"detail": SIGN_IN_REFUSED}))}

    pages = set()
    for name, password in [
        ("nobody", PASSWORD),
        ("manager", "x" * 12),
        ("locked", PASSWORD),
        ("disabled", PASSWORD),
    ]:
        page = irt.new_client()
        form = page.get("/irt/sign-in")
        response = page.post(
            "/irt/sign-in",
            data={"username": name, "password": password, "csrf_token": csrf_field(form.text)},
        )
        assert response.status_code == 200
        check_page(response.text, response.headers)
        assert SIGN_IN_REFUSED in response.text
        assert response.cookies.get("pcl_staff") is None
        pages.add(_normalised(response.text, name))
    assert len(pages) == 1


def test_ten_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(
    irt: IrtApp,
) -> None:
    client = irt.new_client()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(10):
            assert login(irt, client, "manager", "not my password")[0] == 401
        assert login(irt, client, "manager", PASSWORD) == (401, {"detail": SIGN_IN_REFUSED})
        clock.shift(timedelta(minutes=15))
        assert login(irt, client, "manager", PASSWORD)[0] == 200
    failures = [e for e in irt.audit() if e.action == "sign_in_failed"]
    assert [e.detail["reason"] for e in failures] == ["wrong_password"] * 10 + ["locked"]
    assert [e.detail["locked"] for e in failures].count(True) == 1


def test_each_sign_in_is_one_audit_event_without_the_password_or_an_unknown_name(
    irt: IrtApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = irt.new_client()
    secret_guess = "Hunter2-secret-guess"
    before = irt.last_audit_id()
    login(irt, client, "somebody-who-is-not-here", secret_guess)
    login(irt, client, "manager", secret_guess)
    login(irt, client, "manager", PASSWORD)
    sign_in_with_form(irt.new_client(), "manager", PASSWORD, irt.otp("manager"))
    events = irt.audit(before)
    assert [(e.actor, e.action, e.reference) for e in events] == [
        ("unknown", "sign_in_failed", None),
        ("manager", "sign_in_failed", None),
        ("manager", "sign_in", None),
        ("manager", "sign_in", None),
    ]
    assert [e.detail.get("via") for e in events] == ["api", "api", "api", "form"]
    everything = repr([(e.actor, e.action, e.detail) for e in events]) + caplog.text
    assert secret_guess not in everything and PASSWORD not in everything
    assert "somebody-who-is-not-here" not in everything


def test_empty_fields_are_asked_for_and_are_not_an_attempt(irt: IrtApp) -> None:
    client = irt.new_client()
    before = irt.last_audit_id()
    form = client.get("/irt/sign-in")
    response = client.post("/irt/sign-in", data={"csrf_token": csrf_field(form.text)})
    assert response.status_code == 200
    assert "Enter your username" in response.text and "Enter your password" in response.text
    check_page(response.text, response.headers)
    assert irt.audit(before) == []


# --- sessions expire on the server ------------------------------------------------------------


def test_a_session_expires_after_30_idle_minutes(irt: IrtApp) -> None:
    client = irt.new_client()
    with time_machine.travel(START, tick=False) as clock:
        assert login(irt, client, "manager", PASSWORD)[0] == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/irt/api/contacts").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/irt").status_code == 200
        clock.shift(timedelta(minutes=30))
        assert client.get("/irt/api/contacts").status_code == 401
        page = client.get("/irt", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/irt/sign-in"


def test_a_session_expires_after_8_hours_however_busy(irt: IrtApp) -> None:
    client = irt.new_client()
    with time_machine.travel(START, tick=False) as clock:
        assert login(irt, client, "manager", PASSWORD)[0] == 200
        for _ in range(23):
            clock.shift(timedelta(minutes=20))
            assert client.get("/irt/api/contacts").status_code == 200
        clock.shift(timedelta(minutes=20))  # 8 hours since signing in
        assert client.get("/irt/api/contacts").status_code == 401


def test_the_queue_pages_polling_does_not_keep_an_idle_session_alive(irt: IrtApp) -> None:
    client = irt.new_client()
    background = {"X-PCL-Background": "1"}
    with time_machine.travel(START, tick=False) as clock:
        assert login(irt, client, "manager", PASSWORD)[0] == 200
        for _ in range(5):
            clock.shift(timedelta(minutes=5))
            assert client.get("/irt/api/queue-version", headers=background).status_code == 200
        clock.shift(timedelta(minutes=5))
        assert client.get("/irt/api/queue-version", headers=background).status_code == 401


def test_signing_in_again_gives_a_new_session_and_ends_the_old_one(irt: IrtApp) -> None:
    client = irt.new_client()
    login(irt, client, "manager", PASSWORD)
    first = client.cookies.get("pcl_staff")
    login(irt, client, "manager", PASSWORD)
    second = client.cookies.get("pcl_staff")
    assert first and second and first != second
    stale = irt.new_client()
    stale.cookies.set("pcl_staff", first, path="/irt")
    assert stale.get("/irt/api/contacts").status_code == 401


# --- CSRF and signing out ---------------------------------------------------------------------


def test_logging_out_needs_the_csrf_header_and_ends_the_session(irt: IrtApp) -> None:
    client, csrf = irt.api_client("manager")
    assert client.post("/irt/api/logout").status_code == 403
    assert client.post("/irt/api/logout", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.get("/irt/api/contacts").status_code == 200
    cookie = client.cookies.get("pcl_staff")
    assert client.post("/irt/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    replay = irt.new_client()
    replay.cookies.set("pcl_staff", cookie or "", path="/irt")
    assert replay.get("/irt/api/contacts").status_code == 401
    assert [e.action for e in irt.audit()][-1] == "sign_out"


def test_the_sign_out_form_needs_its_token(irt: IrtApp) -> None:
    client, csrf = irt.page_client("manager")
    forged = client.post("/irt/sign-out", data={}, follow_redirects=False)
    assert forged.status_code == 403
    check_page(forged.text, forged.headers)
    assert client.get("/irt").status_code == 200
    response = client.post("/irt/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303 and "signed_out" in response.headers["location"]
    assert client.get("/irt", follow_redirects=False).status_code == 303


def test_a_sign_in_form_from_elsewhere_is_refused(irt: IrtApp) -> None:
    client = irt.new_client()
    response = client.post(
        "/irt/sign-in", data={"username": "manager", "password": PASSWORD, "csrf_token": "made-up"}
    )
    assert response.status_code == 403
    check_page(response.text, response.headers)
    assert "pcl_staff" not in client.cookies
    assert [e.action for e in irt.audit()] == []  # not even an attempt


def test_signing_in_through_the_form_goes_back_to_the_page_asked_for(irt: IrtApp) -> None:
    client = irt.new_client()
    asked = client.get("/irt/stats?from=2026-11-01", follow_redirects=False)
    location = asked.headers["location"]
    form = client.get(location)
    next_value = re.search(r'name="next" value="([^"]+)"', form.text)
    assert next_value and next_value.group(1) == "/irt/stats?from=2026-11-01"
    response = client.post(
        "/irt/sign-in",
        data={
            "username": "manager",
            "password": PASSWORD,
            "otp": irt.otp("manager"),
            "csrf_token": csrf_field(form.text),
            "next": next_value.group(1),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/irt/stats?from=2026-11-01"
