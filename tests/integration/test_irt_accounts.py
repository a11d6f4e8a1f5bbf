"""Administrators manage the IRT managers' accounts from the staff pages (issue 18): adding one
(its holder then signs in as one the command line made: the password, then the enrolment of an
authenticator app), disabling, re-enabling and removing it, and resetting its password, each
change audited; never their own account or an administrator's. The role and CSRF checks of
every route are in test_irt_route_guards's walk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.irt import PASSWORD, IrtApp, csrf_field, irt_app, sign_in_with_form
from tests.support.pages import check_page

NEW_PASSWORD = "a brand new staple horse"


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(tmp_path) as app:
        app.add_user("admin", "admin")
        app.add_user("manager", "irt_manager")
        yield app


@pytest.fixture
def admin(irt: IrtApp) -> tuple[TestClient, str]:
    return irt.page_client("admin")


def post(client: TestClient, csrf: str, path: str, **data: str) -> object:
    response = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
    return response


def account_events(irt: IrtApp, before: int) -> list[tuple[str, str, dict[str, object]]]:
    return [(e.actor, e.action, e.detail or {}) for e in irt.audit(before)]


def test_an_admin_adds_a_manager_who_then_enrols_as_a_command_line_account_would(
    irt: IrtApp, admin: tuple[TestClient, str]
) -> None:
    client, csrf = admin
    form = client.get("/irt/admin/users/new")
    assert check_page(form.text, form.headers) == "Add an IRT manager's account"
    before = irt.last_audit_id()
    added = post(
        client,
        csrf,
        "/irt/admin/users/new",
        username=" Jo.Bloggs ",
        password=NEW_PASSWORD,
        confirm_password=NEW_PASSWORD,
    )
    assert added.status_code == 303  # type: ignore[attr-defined]
    assert added.headers["location"] == "/irt/admin/users/jo.bloggs?done=added"  # type: ignore[attr-defined]
    page = client.get("/irt/admin/users/jo.bloggs?done=added")
    assert check_page(page.text, page.headers) == "Account jo.bloggs"
    assert "The account has been added" in page.text and "IRT manager" in page.text
    assert account_events(irt, before) == [("admin", "add_account", {"account": "jo.bloggs"})]
    assert 'href="/irt/admin/users/jo.bloggs"' in client.get("/irt/admin/users").text

    newcomer = irt.new_client()
    signed_in = sign_in_with_form(newcomer, "jo.bloggs", NEW_PASSWORD)
    assert signed_in.headers["location"] == "/irt/enrol"
    assert "Set up your authenticator app" in newcomer.get("/irt/enrol").text


@pytest.mark.parametrize(
    ("username", "password", "confirm", "field", "message"),
    [
        ("", NEW_PASSWORD, NEW_PASSWORD, "username", "Enter a username"),
        ("manager", NEW_PASSWORD, NEW_PASSWORD, "username", "There is already an account"),
        ("no spaces!", NEW_PASSWORD, NEW_PASSWORD, "username", "A username is 2 to 64"),
        ("new.one", "short", "short", "password", "at least 12 characters"),
        ("new.one", NEW_PASSWORD, "something else", "confirm-password", "are different"),
    ],
)
def test_an_account_the_rules_refuse_is_not_added_and_the_form_says_why(
    irt: IrtApp,
    admin: tuple[TestClient, str],
    username: str,
    password: str,
    confirm: str,
    field: str,
    message: str,
) -> None:
    client, csrf = admin
    before = irt.last_audit_id()
    response = client.post(
        "/irt/admin/users/new",
        data={
            "csrf_token": csrf,
            "username": username,
            "password": password,
            "confirm_password": confirm,
        },
    )
    assert response.status_code == 200  # the form again, as the other forms answer
    check_page(response.text, response.headers)
    assert f'href="#{field}"' in response.text and message in response.text
    assert password not in response.text or password == "short"  # never shown again
    assert account_events(irt, before) == []


def test_disabling_signs_the_manager_out_and_re_enabling_lets_them_back(
    irt: IrtApp, admin: tuple[TestClient, str]
) -> None:
    client, csrf = admin
    manager, _ = irt.page_client("manager")
    before = irt.last_audit_id()
    disabled = post(client, csrf, "/irt/admin/users/manager/disable")
    assert disabled.headers["location"] == "/irt/admin/users/manager?done=disabled"  # type: ignore[attr-defined]
    assert "Disabled" in client.get("/irt/admin/users/manager").text
    assert manager.get("/irt", follow_redirects=False).status_code == 303  # signed out
    refused = sign_in_with_form(irt.new_client(), "manager", PASSWORD, irt.otp("manager"))
    assert refused.status_code == 200  # the sign-in page again
    post(client, csrf, "/irt/admin/users/manager/enable")
    again = sign_in_with_form(irt.new_client(), "manager", PASSWORD, irt.otp("manager"))
    assert again.status_code == 303 and again.headers["location"] == "/irt"
    assert [(a, e) for a, e, _ in account_events(irt, before) if "account" in e] == [
        ("admin", "disable_account"),
        ("admin", "enable_account"),
    ]


def test_a_reset_password_signs_in_with_the_code_or_enrols_again_after_a_lost_phone(
    irt: IrtApp, admin: tuple[TestClient, str]
) -> None:
    client, csrf = admin
    manager, _ = irt.page_client("manager")
    before = irt.last_audit_id()
    mismatch = client.post(
        "/irt/admin/users/manager/password",
        data={"csrf_token": csrf, "password": NEW_PASSWORD, "confirm_password": "other"},
    )
    assert mismatch.status_code == 200 and 'href="#new-confirm-password"' in mismatch.text
    reset = post(
        client,
        csrf,
        "/irt/admin/users/manager/password",
        password=NEW_PASSWORD,
        confirm_password=NEW_PASSWORD,
    )
    assert reset.headers["location"] == "/irt/admin/users/manager?done=password"  # type: ignore[attr-defined]
    assert manager.get("/irt", follow_redirects=False).status_code == 303  # signed out
    old = sign_in_with_form(irt.new_client(), "manager", PASSWORD, irt.otp("manager"))
    assert old.status_code == 200
    new = sign_in_with_form(irt.new_client(), "manager", NEW_PASSWORD, irt.otp("manager"))
    assert new.headers["location"] == "/irt"  # the password and the app's code, as before

    post(
        client,
        csrf,
        "/irt/admin/users/manager/password",
        password=NEW_PASSWORD + "!",
        confirm_password=NEW_PASSWORD + "!",
        reset_second_factor="yes",
    )
    enrol = sign_in_with_form(irt.new_client(), "manager", NEW_PASSWORD + "!")
    assert enrol.headers["location"] == "/irt/enrol"
    resets = [d for _, e, d in account_events(irt, before) if e == "reset_password"]
    assert resets == [
        {"account": "manager", "second_factor_reset": False},
        {"account": "manager", "second_factor_reset": True},
    ]
    assert NEW_PASSWORD not in str(irt.audit(before)[-1].detail)


def test_removing_needs_confirming_and_keeps_the_audit_trail(
    irt: IrtApp, admin: tuple[TestClient, str]
) -> None:
    client, csrf = admin
    irt.page_client("manager")
    before = irt.last_audit_id()
    unconfirmed = client.post("/irt/admin/users/manager/remove", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 200 and 'href="#confirm-remove"' in unconfirmed.text
    removed = post(client, csrf, "/irt/admin/users/manager/remove", confirm="yes")
    assert removed.headers["location"] == "/irt/admin/users?done=removed"  # type: ignore[attr-defined]
    assert "The account has been removed" in client.get("/irt/admin/users?done=removed").text
    assert client.get("/irt/admin/users/manager").status_code == 404
    assert ("admin", "remove_account", {"account": "manager"}) in account_events(irt, before)
    assert any(e.actor == "manager" for e in irt.audit())  # its sign-in is still there


def test_an_admin_cannot_change_their_own_or_another_admins_account_here(
    irt: IrtApp, admin: tuple[TestClient, str]
) -> None:
    irt.add_user("second-admin", "admin")
    client, csrf = admin
    for name in ("admin", "second-admin"):
        page = client.get(f"/irt/admin/users/{name}")
        assert page.status_code == 200 and 'action="/irt/admin/users/' not in page.text
        for change in ("disable", "remove", "password"):
            refused = client.post(
                f"/irt/admin/users/{name}/{change}",
                data={
                    "csrf_token": csrf,
                    "confirm": "yes",
                    "password": NEW_PASSWORD,
                    "confirm_password": NEW_PASSWORD,
                },
            )
            assert refused.status_code == 403, (name, change)
            assert "You cannot change this account" in refused.text
    assert client.get("/irt/admin/users/nobody").status_code == 404
    still = sign_in_with_form(irt.new_client(), "second-admin", PASSWORD, irt.otp("second-admin"))
    assert still.status_code == 303


def test_the_account_pages_take_no_username_they_do_not_know(
    irt: IrtApp, admin: tuple[TestClient, str]
) -> None:
    client, csrf = admin
    for path in ("/irt/admin/users/nobody", "/irt/admin/users/" + "x" * 65):
        assert client.get(path).status_code in (404, 422)
    injected = post(client, csrf, "/irt/admin/users/manager%0d%0aSet-Cookie:x=1/disable")
    assert injected.status_code == 422  # type: ignore[attr-defined]
    assert "set-cookie" not in injected.headers  # type: ignore[attr-defined]
    assert post(client, csrf, "/irt/admin/users/nobody/disable").status_code == 404  # type: ignore[attr-defined]
    assert csrf_field(client.get("/irt/admin/users/manager").text) == csrf
