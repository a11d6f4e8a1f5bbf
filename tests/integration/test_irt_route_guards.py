"""Every IRT route has its guard: a test walks the app's routes, so a new route without the
session dependency fails here (GOV.UK Notify's habit). Anonymous: 401 from the JSON API, a
redirect to the sign-in page from the pages. An IRT manager: 403 on the administrators' routes.
Every route outside /irt is on a list of routes that are public on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from api.deps import any_session, current_session
from api.routes.irt import ENROLMENT_ROUTES, PUBLIC_ROUTES
from tests.support.irt import PASSWORD, IrtApp, irt_app, sign_in_with_form
from tests.support.pages import check_page

REFERENCE = "PCL-2026-000001"


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(tmp_path) as app:
        app.add_contact()
        app.add_user("manager", "irt_manager")
        app.add_user("admin", "admin")
        yield app


def irt_routes(irt: IrtApp) -> list[tuple[str, str, Dependant]]:
    """(method, path, dependencies) of every route under /irt, as the app serves them."""
    routes = []
    for context in iter_route_contexts(irt.client.app.routes):  # type: ignore[attr-defined]
        path = context.path or ""
        if isinstance(context.original_route, APIRoute) and path.startswith("/irt"):
            for method in sorted(context.methods or ()):
                routes.append((method, path, context.dependant))
    return routes


def calls(dependant: Dependant) -> set[object]:
    """Every callable a route depends on, however deep."""
    found: set[object] = set()
    for sub in dependant.dependencies:
        found |= {sub.call} | calls(sub)
    return found


def url(path: str) -> str:
    return path.replace("{reference}", REFERENCE).replace("{username}", "manager")


def test_the_irt_has_the_routes_of_the_spec(irt: IrtApp) -> None:
    found = {(method, path) for method, path, _ in irt_routes(irt)}
    for contract in [
        ("POST", "/irt/api/login"),
        ("GET", "/irt/api/contacts"),
        ("GET", "/irt/api/contacts/{reference}"),
        ("POST", "/irt/api/contacts/{reference}/decision"),
        ("GET", "/irt/api/contacts.csv"),
        ("GET", "/irt/api/audit"),
        ("GET", "/irt/api/stats"),
        ("GET", "/irt"),
        ("GET", "/irt/sign-in"),
        ("POST", "/irt/sign-out"),
        ("GET", "/irt/contacts/{reference}"),
        ("GET", "/irt/contacts.csv"),
        ("GET", "/irt/audit"),
        ("GET", "/irt/stats"),
        ("GET", "/irt/admin/users"),
        # The session timeout warning's "Stay signed in" (CSRF-checked: test_irt_session_timeout).
        ("POST", "/irt/api/session/refresh"),
    ]:
        assert contract in found
    assert found >= PUBLIC_ROUTES


def test_every_route_but_the_way_in_depends_on_the_session(irt: IrtApp) -> None:
    unguarded = []
    for method, path, dependant in irt_routes(irt):
        if (method, path) in ENROLMENT_ROUTES:
            guarded = any_session in calls(dependant)
        else:
            guarded = current_session in calls(dependant)
        if not guarded and (method, path) not in PUBLIC_ROUTES:
            unguarded.append(f"{method} {path}")
    assert unguarded == []


def test_a_session_that_has_not_enrolled_the_second_factor_reaches_only_the_enrolment(
    irt: IrtApp,
) -> None:
    irt.add_user("newcomer", "admin", enrolled=False)
    client = irt.new_client()
    signed_in = sign_in_with_form(client, "newcomer", PASSWORD)
    assert signed_in.headers["location"] == "/irt/enrol"
    for method, path, _ in irt_routes(irt):
        if (method, path) in PUBLIC_ROUTES | ENROLMENT_ROUTES:
            continue
        response = client.request(method, url(path), follow_redirects=False)
        if path.startswith("/irt/api/"):
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        elif method == "GET":
            assert response.status_code == 303, f"{method} {path}: {response.status_code}"
            assert response.headers["location"] == "/irt/enrol", path
        else:  # a form: no CSRF token of a full session, and no full session
            assert response.status_code in (303, 403), f"{method} {path}"


def test_an_anonymous_request_gets_401_from_the_api_and_the_sign_in_page_elsewhere(
    irt: IrtApp,
) -> None:
    anonymous = irt.new_client()
    checked = 0
    for method, path, _ in irt_routes(irt):
        if (method, path) in PUBLIC_ROUTES:
            continue
        response = anonymous.request(method, url(path), follow_redirects=False)
        if path.startswith("/irt/api/"):
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
            assert response.json() == {"detail": "Sign in first"}
        else:
            assert response.status_code == 303, f"{method} {path}: {response.status_code}"
            assert response.headers["location"].startswith("/irt/sign-in"), path
        checked += 1
    assert checked >= 15  # the pages and the API, whatever is added later


def test_a_stale_or_forged_cookie_is_as_good_as_none(irt: IrtApp) -> None:
    client = irt.new_client()
    for value in ("forged", "x" * 43, "y" * 500):
        client.cookies.set("pcl_staff", value, path="/irt")
        assert client.get("/irt/api/contacts").status_code == 401
        response = client.get("/irt", follow_redirects=False)
        assert response.status_code == 303


def test_the_sign_in_page_remembers_the_page_asked_for_but_only_this_sites(irt: IrtApp) -> None:
    client = irt.new_client()
    response = client.get(f"/irt/contacts/{REFERENCE}", follow_redirects=False)
    assert response.headers["location"] == f"/irt/sign-in?next=/irt/contacts/{REFERENCE}"
    for target in (
        "https://evil.example/",
        "//evil.example/irt",
        "/chat",
        "/irt/api/contacts",
        "/irtx",
        "/irt\\@evil.example",
    ):
        page = client.get("/irt/sign-in", params={"next": target})
        assert 'name="next" value="/irt"' in page.text, target


def test_an_irt_manager_gets_403_on_every_administrators_route(irt: IrtApp) -> None:
    """A manager is refused every administrators' route, its forms too with the session's own
    CSRF token (the role is checked first); an administrator reaches every page, and its
    forms without the token are refused as every form is."""
    manager, manager_csrf = irt.page_client("manager")
    admin, _ = irt.page_client("admin")
    admin_routes = [(m, p) for m, p, _ in irt_routes(irt) if p.startswith("/irt/admin")]
    assert {
        ("GET", "/irt/admin/users/new"),
        ("POST", "/irt/admin/users/{username}/disable"),
    } <= set(admin_routes)
    for method, path in admin_routes:
        refused = manager.request(method, url(path), data={"csrf_token": manager_csrf})
        assert refused.status_code == 403, path
        assert "You cannot see this page" in refused.text
        check_page(refused.text, refused.headers)
        if method == "GET":
            assert admin.request(method, url(path)).status_code == 200, path
        else:
            assert admin.request(method, url(path)).status_code == 403, path


def test_every_form_needs_the_sessions_csrf_token(irt: IrtApp) -> None:
    """Every form POST of the pages, the administrators' too, is refused (403) without the
    session's CSRF token or with another's, before it changes anything."""
    admin, _ = irt.page_client("admin")
    _, other_csrf = irt.page_client("manager")
    forms = [
        path
        for method, path, _ in irt_routes(irt)
        if method == "POST"
        and not path.startswith("/irt/api/")
        and (method, path) not in PUBLIC_ROUTES | ENROLMENT_ROUTES
    ]
    assert len(forms) >= 8
    before = irt.last_audit_id()
    for path in forms:
        for data in ({}, {"csrf_token": other_csrf}):
            response = admin.post(url(path), data={**data, "confirm": "yes"})
            assert response.status_code == 403, path
            assert "Your form could not be sent" in response.text, path
            check_page(response.text, response.headers)
    assert irt.audit(before) == []


def test_every_page_carries_the_security_headers_and_passes_the_page_check(irt: IrtApp) -> None:
    admin, _ = irt.page_client("admin")
    for method, path, _ in irt_routes(irt):
        if method == "GET" and not path.startswith("/irt/api/") and "csv" not in path:
            response = admin.get(url(path))
            assert response.status_code == 200, path
            check_page(response.text, response.headers)


def test_an_irt_manager_reaches_every_other_page(irt: IrtApp) -> None:
    manager, _ = irt.page_client("manager")
    for method, path, _ in irt_routes(irt):
        if method == "GET" and not path.startswith(("/irt/admin", "/irt/sign-in")):
            assert manager.get(url(path)).status_code == 200, path


# Everything outside /irt is public on purpose: the chat and its API, the SMS webhook (which
# checks Twilio's signature), the health check, and the pages every footer links to. A new
# route outside /irt must be added here, after deciding that it needs no session.
PUBLIC_OUTSIDE_IRT = {
    ("GET", "/healthz"),
    ("POST", "/chat/api/messages"),
    ("POST", "/sms/twilio"),
    # Twilio's delivery reports of the IRT alerts: signed, as the inbound webhook is.
    ("POST", "/sms/alert-status"),
    ("GET", "/chat"),
    ("GET", "/chat/privacy"),
    ("GET", "/accessibility-statement"),
    ("GET", "/cookies"),
}


def test_every_route_outside_the_irt_is_public_on_purpose(irt: IrtApp) -> None:
    found = set()
    for context in iter_route_contexts(irt.client.app.routes):  # type: ignore[attr-defined]
        path = context.path or ""
        if isinstance(context.original_route, APIRoute) and not path.startswith("/irt"):
            found |= {(method, path) for method in context.methods or ()}
    assert found == PUBLIC_OUTSIDE_IRT


def test_the_public_pages_carry_the_headers_and_send_no_staff_session(irt: IrtApp) -> None:
    manager, _ = irt.page_client("manager")
    for method, path in sorted(PUBLIC_OUTSIDE_IRT):
        if method != "GET" or path == "/healthz":
            continue
        for client in (irt.new_client(), manager):
            response = client.get(path)
            assert response.status_code == 200, path
            check_page(response.text, response.headers)
            assert "pcl_staff" not in response.headers.get("set-cookie", ""), path
