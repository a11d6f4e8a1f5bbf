"""Schemathesis against the API's own OpenAPI schema (`GET /openapi.json`), over real HTTP
(issue 8): whatever it sends to an operation, the API never answers 5xx, and every answer has a
status code the schema declares, its declared content type and a body matching the declared
schema.

Every operation runs twice: anonymously (the staff API refuses, never a 2xx; an SMS webhook
without Twilio's signature gets 403) and signed: a signed-in IRT manager's session cookie and
CSRF token go with every request (a new session after the fuzzed logout ends one), and every
SMS form carries Twilio's signature, so that the fuzzing reaches the routes themselves.
Bounded and deterministic: a fixed seed, derandomized generation, no example database, a few
dozen cases per operation.

The fuzzing gets an API instance of its own, on a database of its own, so that the decisions and
erasures it makes on the staff API cannot touch the contacts other tests record; it talks to
the session's Rasa and action server like the main API does (only 127.0.0.1).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from requests.models import RequestEncodingMixin
from schemathesis import Case, Config
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from api.main import create_app
from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine
from bot.domain.contact import CallerDetails, ChildDetails, NewContact
from tests.support.irt import irt_settings
from tests.support.sms import form_fields
from tests.support.stack import Stack
from tests.support.staff import StaffSession, add_staff

pytestmark = pytest.mark.e2e

INSTANCE = "api-schemathesis"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONFIG: dict[str, Any] = {
    "seed": 20261126,
    "generation": {"deterministic": True, "database": "none", "max-examples": 25},
    "phases": {"stateful": {"enabled": False}},
    "request-timeout": 60,
}
# The contacts seeded in the fuzzed instance's database (the first references of their year):
# half the signed requests about a contact name one of them, so that decisions and erasures
# are made and refused (200, 409), not only missed (404).
SEEDED = ("PCL-2026-000001", "PCL-2026-000002", "PCL-2026-000003")
SIGNED_CONFIG: dict[str, Any] = {
    **CONFIG,
    "dictionaries": {"seeded": {"values": list(SEEDED)}},
    "parameters": {"path.reference": {"dictionary": "seeded", "probability": 0.5}},
}

# The schema the API serves, made by the same code in this process: the test functions are
# generated when pytest collects them, before the stack starts (schemathesis's lazy loader,
# schemathesis.pytest.from_fixture, fails under pytest 9). test_the_served_schema_is_the_one_fuzzed
# checks that the two are equal.
APP_SCHEMA = create_app(irt_settings(Path("/nonexistent"))).openapi()
anonymous = schemathesis.openapi.from_dict(APP_SCHEMA, config=Config.from_dict(CONFIG))
signed = schemathesis.openapi.from_dict(APP_SCHEMA, config=Config.from_dict(SIGNED_CONFIG))


@pytest.fixture(scope="module")
def fuzzed_api(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An API instance of the stack's with a database of its own, holding the seeded
    contacts; its URL."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'pcl.db'}"
    url = stack.start_instance(INSTANCE, "api", PCL_DATABASE_URL=database_url)
    try:
        stack.wait_ready(INSTANCE)  # it has migrated its database
        assert seed_contacts(stack, database_url) == list(SEEDED)
        yield url
    finally:
        stack.stop(INSTANCE)


def seed_contacts(stack: Stack, database_url: str) -> list[str]:
    engine = make_engine(database_url)
    cipher = FieldCipher(stack.encryption_key, stack.blind_index_key)
    created = datetime(2026, 11, 26, 11, tzinfo=UTC)
    try:
        with Session(engine) as session, session.begin():
            contacts = ContactRepository(session, cipher, timezone="Europe/London")
            return [
                contacts.create(
                    NewContact(
                        channel=channel,
                        created_at=created,
                        caller=CallerDetails(name="Jo <b>Bloggs</b>", role="Teacher"),
                        child=ChildDetails(name="Amy ' OR 1=1 --", date_of_birth=date(2015, 4, 3)),
                        concern="<script>alert(1)</script>",
                        significant_harm=harm,
                    )
                )
                for channel, harm in (("web", True), ("sms", False), ("web", False))
            ]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def manager(stack: Stack, fuzzed_api: str) -> StaffSession:
    database = stack.instances[INSTANCE][1]["PCL_DATABASE_URL"]
    username, password = add_staff(stack, "irt_manager", PCL_DATABASE_URL=database)
    return StaffSession(fuzzed_api, username, password).sign_in()


# What the staff API may answer a caller without a session: never a 2xx or 3xx. (400 and 422
# for a body FastAPI cannot read before the session is looked at; 405 for the coverage phase's
# methods the route does not have.)
REFUSED_WITHOUT_A_SESSION = {400, 401, 405, 422}
# The status codes the signed requests got, by operation.
SIGNED_ANSWERS: dict[str, set[int]] = {}


@anonymous.parametrize()
def test_anonymous_callers_get_declared_answers_and_never_5xx(case: Case, fuzzed_api: str) -> None:
    response = case.call_and_validate(base_url=fuzzed_api, checks=CHECKS)
    if case.path.startswith("/irt/api/") and case.path != "/irt/api/login":
        assert response.status_code in REFUSED_WITHOUT_A_SESSION, response.text
    if case.path in ("/sms/twilio", "/sms/alert-status"):
        # Twilio did not sign it (or it is not even a form, or not a method the route has).
        assert response.status_code in (403, 405, 415), response.text


@signed.parametrize()
def test_signed_requests_get_declared_answers_and_never_5xx(
    case: Case, stack: Stack, manager: StaffSession
) -> None:
    """A signed-in manager's session and CSRF token on every request, and Twilio's signature
    on every SMS form, so that the fuzzing reaches past the checks into the routes."""
    headers = dict(manager.headers)
    if case.path in ("/sms/twilio", "/sms/alert-status") and isinstance(case.body, Mapping):
        # Signed over the fields exactly as requests (schemathesis's transport) encodes them.
        fields = form_fields(RequestEncodingMixin._encode_params(case.body).encode())
        headers["X-Twilio-Signature"] = RequestValidator(stack.twilio_auth_token).compute_signature(
            stack.public_base_url + case.path, fields
        )
    response = case.call_and_validate(
        base_url=manager.api_url, checks=CHECKS, cookies=manager.cookies, headers=headers
    )
    SIGNED_ANSWERS.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
    if case.path == "/irt/api/logout" and response.status_code == 204:
        # The fuzzed logout ended the session: a new one for what follows, started in the
        # database (the fuzzer logs out more often than an authenticator gives new codes).
        manager.start_in_database(stack.instances[INSTANCE][1]["PCL_DATABASE_URL"])


def test_the_signed_requests_reached_past_the_checks() -> None:
    """The session and the signatures worked: operations answered 2xx, not only refusals."""
    if not SIGNED_ANSWERS:
        pytest.skip("the signed fuzzing did not run in this session")
    for operation in (
        "POST /sms/twilio",
        "POST /sms/alert-status",
        "POST /chat/api/messages",
        "GET /irt/api/session",
        "GET /irt/api/contacts",
        "GET /irt/api/contacts.csv",
        "GET /irt/api/contacts/{reference}",
        "POST /irt/api/contacts/{reference}/decision",
        # Not the erasure: it needs the password and a fresh code again, which the fuzzer
        # cannot know (its 403 is that check; tests/integration/test_irt_contacts.py erases).
        "GET /irt/api/audit",
        "GET /irt/api/stats",
        "POST /irt/api/logout",
    ):
        assert any(200 <= s < 300 for s in SIGNED_ANSWERS.get(operation, ())), (
            operation,
            SIGNED_ANSWERS.get(operation),
        )
    assert 403 in SIGNED_ANSWERS.get("POST /irt/api/contacts/{reference}/erasure", set())


def test_the_served_schema_is_the_one_fuzzed(fuzzed_api: str) -> None:
    assert httpx.get(fuzzed_api + "/openapi.json", timeout=30).json() == APP_SCHEMA


def test_the_fuzzed_instance_logged_no_traceback_or_unhandled_error(
    stack: Stack, fuzzed_api: str
) -> None:
    log = (stack.log_dir / f"{INSTANCE}.log").read_text(errors="replace")
    assert "Traceback" not in log
    assert "unhandled" not in log
