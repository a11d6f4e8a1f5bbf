"""The second factor and the account's own pages: enrolment at the first sign-in (the secret
shown, confirmed with a code, recovery codes shown once), a recovery code that signs in once,
and the password change (current password and a code, CSRF, audited, other sessions ended)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from tests.support.irt import PASSWORD, IrtApp, csrf_field, irt_app, sign_in_with_form
from tests.support.pages import check_page, check_security_headers

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(tmp_path) as app:
        app.add_user("newcomer", enrolled=False)
        app.add_user("manager")
        yield app


def enrol(irt: IrtApp) -> tuple[object, str, list[str]]:
    """Signs the newcomer in and enrols: (the client, the secret, the recovery codes)."""
    client = irt.new_client()
    response = sign_in_with_form(client, "newcomer", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/irt/enrol"
    page = client.get("/irt/enrol")
    check_page(page.text, page.headers)
    check_security_headers(page.headers)
    found = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert found and "otpauth://totp/" in page.text
    secret = found.group(1)
    wrong = client.post("/irt/enrol", data={"code": "000000", "csrf_token": csrf_field(page.text)})
    assert "The code is not right" in wrong.text
    check_page(wrong.text, wrong.headers)
    done = client.post(
        "/irt/enrol",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_field(wrong.text)},
    )
    assert done.status_code == 200
    check_page(done.text, done.headers)
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", done.text)
    assert len(codes) == 8
    return client, secret, codes


def test_the_first_sign_in_enrols_the_authenticator_before_anything_else(irt: IrtApp) -> None:
    client, _, _ = enrol(irt)
    assert client.get("/irt").status_code == 200  # type: ignore[attr-defined]
    assert "second_factor_enrolled" in [e.action for e in irt.audit()]
    # From now on the password alone is not enough.
    again = irt.new_client()
    refused = sign_in_with_form(again, "newcomer", PASSWORD)
    assert refused.status_code == 200 and "not right" in refused.text


def test_the_enrolment_form_needs_its_csrf_token(irt: IrtApp) -> None:
    client = irt.new_client()
    sign_in_with_form(client, "newcomer", PASSWORD)
    refused = client.post("/irt/enrol", data={"code": "123456", "csrf_token": "forged"})
    assert refused.status_code == 403
    check_page(refused.text, refused.headers)


def test_a_recovery_code_signs_in_once(irt: IrtApp) -> None:
    _, _, codes = enrol(irt)
    first = sign_in_with_form(irt.new_client(), "newcomer", PASSWORD, codes[0].upper())
    assert first.status_code == 303 and first.headers["location"] == "/irt"
    second = sign_in_with_form(irt.new_client(), "newcomer", PASSWORD, codes[0])
    assert second.status_code == 200  # used up


def test_the_json_api_takes_a_code_of_the_secret_not_yet_confirmed(irt: IrtApp) -> None:
    client = irt.new_client()
    sign_in_with_form(client, "newcomer", PASSWORD)
    shown = re.search(r'id="totp-secret">([A-Z2-7]+)<', client.get("/irt/enrol").text)
    assert shown
    # The JSON API takes a code of the unconfirmed secret as the enrolment.
    code = pyotp.TOTP(shown.group(1)).now()
    response = irt.new_client().post(
        "/irt/api/login", json={"username": "newcomer", "password": PASSWORD, "otp": code}
    )
    assert response.status_code == 200


def test_changing_the_password_needs_the_current_one_and_a_code(irt: IrtApp) -> None:
    client, csrf = irt.page_client("manager")
    other, _ = irt.page_client("manager")
    page = client.get("/irt/account/password")
    check_page(page.text, page.headers)
    fields = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "csrf_token": csrf}
    wrong = client.post(
        "/irt/account/password",
        data={**fields, "current_password": "not it", "code": irt.otp("manager")},
    )
    assert "Your password or the code is not right" in wrong.text
    check_page(wrong.text, wrong.headers)
    assert client.post(
        "/irt/account/password",
        data={**fields, "csrf_token": "forged", "current_password": PASSWORD},
    ).status_code == 403
    done = client.post(
        "/irt/account/password",
        data={**fields, "current_password": PASSWORD, "code": irt.otp("manager")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "password_changed" in [e.action for e in irt.audit()]
    assert other.get("/irt", follow_redirects=False).status_code == 303  # signed out
    assert client.get("/irt").status_code == 200  # this session goes on
    old = sign_in_with_form(irt.new_client(), "manager", PASSWORD, irt.otp("manager"))
    assert old.status_code == 200
    new = sign_in_with_form(irt.new_client(), "manager", NEW_PASSWORD, irt.otp("manager"))
    assert new.status_code == 303
