"""The web chat's pages without a browser: the page check on every page, the security headers
on every kind of response, the frame-ancestors setting, the conversation cookie's flags, and
the two GOV.UK Frontend pins checked together."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.main import create_app
from bot.adapters.crypto import generate_key
from bot.adapters.settings import Settings
from tests.support.pages import check_page, check_security_headers, csp_nonce

ROOT = Path(__file__).resolve().parents[2]
KEY, INDEX = generate_key(), generate_key()
# govuk-frontend-jinja's README: "v4.x.x supports GOV.UK Frontend v6.x.x" (4.1.0 targets 6.3.0).
JINJA_MAJOR_TO_FRONTEND_MAJOR = {4: 6, 3: 5, 2: 4}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PCL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PCL_ENV", "test")  # settings default to production


def settings(tmp_path: Path, **values: str) -> Settings:
    base = {
        "rasa_token": "t" * 40,
        "hmac_key": "k" * 40,
        "encryption_keys": KEY,
        "blind_index_key": INDEX,
        "database_url": f"sqlite:///{tmp_path / 'pcl.db'}",
        # Nothing listens here, so a chat message gets the "assistant unavailable" reply.
        "rasa_url": "http://127.0.0.1:9",
        "rasa_timeout_seconds": "1",
    }
    base.update(values)
    return Settings(**base)  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings(tmp_path))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "h1"),
    [("/chat", "Professional Consultation Line"), ("/chat/privacy", "How we use your information")],
)
def test_each_page_passes_the_page_check(client: TestClient, path: str, h1: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert check_page(response.text, response.headers) == h1
    assert response.headers["cache-control"] == "no-store"


def test_the_chat_page_names_the_council_and_gives_the_hours_and_the_urgent_routes(
    client: TestClient,
) -> None:
    text = client.get("/chat").text
    assert "Derby City Council" in text
    assert "10am to 4pm, Monday to Friday (closed on bank holidays)" in text
    for number in ("999", "01332 641172", "01332 956606", "07812 300329"):
        assert number in text
    assert 'href="/chat/privacy"' in text
    assert 'role="log"' in text and 'aria-live="polite"' in text


def test_no_gov_uk_branding_on_a_council_page(client: TestClient) -> None:
    text = client.get("/chat").text
    for mark in ("govuk-header", "govuk-footer", "govuk-logo", "Crown copyright", "GOV.UK"):
        assert mark not in text
    assert "govuk-generic-header" in text


def test_the_built_stylesheet_has_no_gov_uk_transport_font() -> None:
    css = ROOT / "api/static/govuk/pcl.min.css"
    if not css.exists():
        pytest.skip("the front end is not built: `make frontend`")
    assert "GDS Transport" not in css.read_text() and "@font-face" not in css.read_text()


def test_every_response_gets_the_headers_and_a_fresh_nonce(client: TestClient) -> None:
    nonces = set()
    for path in ("/chat", "/chat", "/static/chat.js", "/healthz", "/no-such-page"):
        response = client.get(path)
        check_security_headers(response.headers, path)
        nonces.add(csp_nonce(response.headers))
    message = client.post("/chat/api/messages", json={"text": "hello"})
    check_security_headers(message.headers, "POST /chat/api/messages")
    nonces.add(csp_nonce(message.headers))
    assert len(nonces) == 6


def test_frame_ancestors_come_from_the_setting_and_drop_x_frame_options(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, frame_ancestors="'self'  https://www.derby.gov.uk"))
    with TestClient(app) as client:
        response = client.get("/chat")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://www.derby.gov.uk" in policy
    assert "x-frame-options" not in response.headers


@pytest.mark.parametrize(
    "value",
    [
        "",
        "*",
        "http://www.derby.gov.uk",
        "https://www.derby.gov.uk; script-src *",
        "'none' https://www.derby.gov.uk",
        "'unsafe-inline'",
    ],
)
def test_a_frame_ancestors_value_that_is_not_a_list_of_sources_is_refused(
    tmp_path: Path, value: str
) -> None:
    with pytest.raises(ValidationError, match="PCL_FRAME_ANCESTORS"):
        settings(tmp_path, frame_ancestors=value)


def test_the_conversation_cookie_is_secure_in_production_only(tmp_path: Path) -> None:
    def cookie(**values: str) -> str:
        with TestClient(create_app(settings(tmp_path, **values))) as client:
            response = client.post("/chat/api/messages", json={"text": "hello"})
        assert response.status_code == 503  # no Rasa here: the urgent routes, and the cookie
        return response.headers["set-cookie"].lower()

    development = cookie()
    assert "httponly" in development and "samesite=strict" in development
    assert "secure" not in development
    production = cookie(env="production", database_url="postgresql+psycopg://db.invalid/pcl")
    assert "httponly" in production and "samesite=strict" in production
    assert "; secure" in production


def test_govuk_frontend_and_govuk_frontend_jinja_are_pinned_to_matching_majors() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    frontend = package["dependencies"]["govuk-frontend"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", frontend), f"govuk-frontend is not pinned: {frontend}"
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/govuk-frontend"]["version"] == frontend
    for tool in ("axe-core", "sass"):
        assert re.fullmatch(r"\d+\.\d+\.\d+", package["devDependencies"][tool]), tool

    app_lock = (ROOT / "requirements/app.lock").read_text()
    jinja = re.search(r"^govuk-frontend-jinja==(\S+)$", app_lock, re.MULTILINE)
    assert jinja, "govuk-frontend-jinja is not pinned in requirements/app.lock"
    assert version("govuk-frontend-jinja") == jinja.group(1)

    jinja_major, frontend_major = int(jinja.group(1).split(".")[0]), int(frontend.split(".")[0])
    assert JINJA_MAJOR_TO_FRONTEND_MAJOR.get(jinja_major) == frontend_major, (
        f"govuk-frontend-jinja {jinja.group(1)} renders GOV.UK Frontend "
        f"v{JINJA_MAJOR_TO_FRONTEND_MAJOR.get(jinja_major)}, but package.json pins {frontend}"
    )
    installed = ROOT / "node_modules/govuk-frontend/package.json"
    if installed.exists():  # after `make frontend`
        assert json.loads(installed.read_text())["version"] == frontend


def test_only_the_web_chat_may_be_framed(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, frame_ancestors="https://www.derby.gov.uk"))
    with TestClient(app) as client:
        chat = client.get("/chat")
        staff = client.get("/irt/sign-in")
    assert "frame-ancestors https://www.derby.gov.uk" in chat.headers["content-security-policy"]
    check_security_headers(staff.headers, "/irt/sign-in")  # frame-ancestors 'none', DENY


def test_production_sends_hsts_and_does_not_publish_the_api_schema(tmp_path: Path) -> None:
    production = settings(
        tmp_path, env="production", database_url="postgresql+psycopg://db.invalid/pcl"
    )
    with TestClient(create_app(production)) as client:
        page = client.get("/chat")
        assert page.headers["strict-transport-security"].startswith("max-age=31536000")
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/docs").status_code == 404
    with TestClient(create_app(settings(tmp_path))) as client:
        assert "strict-transport-security" not in client.get("/chat").headers
        assert client.get("/openapi.json").status_code == 200
