"""The IRT review as the tests drive it without a browser: the app on a SQLite file of its own
(a TestClient), staff accounts and contacts written straight through the repositories, and a
signed-in client for each member of staff."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from bot.adapters.crypto import FieldCipher, generate_key
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.migrations import upgrade_to_head
from bot.adapters.db.models import AuditEvent, StaffUser
from bot.adapters.db.staff import StaffRepository
from bot.adapters.passwords import Passwords
from bot.adapters.sealed_fields import totp_place
from bot.adapters.settings import Settings
from bot.domain.contact import CallerDetails, ChildDetails, NewContact

PASSWORD = "correct horse battery staple"
# Every enrolled test account's second factor (tests compute its codes with pyotp).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
# Argon2id with small parameters, so that the many sign-ins of the tests are quick (the app's
# own is swapped for it too); tests/unit/test_passwords.py checks the real parameters.
FAST_PASSWORDS = Passwords(
    PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
)


def irt_settings(tmp_path: Path, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "env": "test",
        "rasa_token": "t" * 40,
        "hmac_key": "k" * 40,
        "encryption_keys": generate_key(),
        "blind_index_key": generate_key(),
        "database_url": f"sqlite:///{tmp_path / 'pcl.db'}",
        "data_dir": tmp_path,
        "rasa_url": "http://127.0.0.1:9",
        "rasa_timeout_seconds": 1,
        # Each client of the tests comes through this "proxy" with an address of its own
        # (IrtApp.new_client), as browsers behind the load balancer do.
        "trusted_proxies": "testclient",
        # The tests sign in far more often than a person; the limits have tests of their own.
        "rate_limit_sign_in_client": "1000/minute",
    }
    base.update(values)
    return Settings(**base)


def csrf_field(html: str) -> str:
    match = _CSRF_FIELD.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


@dataclass
class IrtApp:
    settings: Settings
    client: TestClient
    sessions: sessionmaker[Session]
    cipher: FieldCipher
    clients: list[TestClient] = field(default_factory=list)

    # --- the database, directly -----------------------------------------------------------

    def add_user(
        self,
        username: str,
        role: str = "irt_manager",
        password: str = PASSWORD,
        *,
        enrolled: bool = True,
    ) -> None:
        """An account; `enrolled`: with a confirmed second factor (TOTP_SECRET), else none
        yet (its holder enrols at the first sign-in)."""
        with self.sessions.begin() as session:
            staff = StaffRepository(session)
            account = staff.add_user(
                username, role, FAST_PASSWORDS.hash(password), datetime.now(UTC)
            )
            if enrolled:
                staff.set_totp_secret(
                    account.id, self.cipher.encrypt(TOTP_SECRET, totp_place(account.id))
                )
                staff.confirm_totp(account.id, datetime.now(UTC), 0)

    def otp(self, username: str) -> str:
        """A code the account will take now: the current one, its step marked unused first
        (the tests sign in more often than once per 30 seconds)."""
        with self.sessions.begin() as session:
            session.execute(
                update(StaffUser).where(StaffUser.username == username).values(totp_last_step=0)
            )
        return pyotp.TOTP(TOTP_SECRET).now()

    def add_contact(self, **values: Any) -> str:
        values.setdefault("channel", "web")
        values.setdefault("created_at", datetime.now(UTC))
        values.setdefault("caller", CallerDetails(name="Jane Smith", role="Teacher"))
        values.setdefault("child", ChildDetails(name="Amy Jones", date_of_birth=date(2015, 4, 3)))
        with self.sessions.begin() as session:
            return ContactRepository(session, self.cipher, timezone="Europe/London").create(
                NewContact(**values)
            )

    def repository(self, session: Session) -> ContactRepository:
        return ContactRepository(session, self.cipher, timezone="Europe/London")

    def audit(self, after_id: int = 0) -> list[AuditEvent]:
        with self.sessions() as session:
            query = select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id)
            return list(session.scalars(query))

    def last_audit_id(self) -> int:
        events = self.audit()
        return events[-1].id if events else 0

    # --- clients --------------------------------------------------------------------------

    def new_client(self, address: str | None = None) -> TestClient:
        """Another browser: its own cookies and address, the same app (whose start-up has run
        once)."""
        address = address or f"192.0.2.{len(self.clients) % 250 + 1}"
        client = TestClient(self.client.app, headers={"X-Forwarded-For": address})
        self.clients.append(client)
        return client

    def api_client(self, username: str, password: str = PASSWORD) -> tuple[TestClient, str]:
        """A client signed in through the JSON API, and its CSRF token."""
        client = self.new_client()
        response = client.post(
            "/irt/api/login",
            json={"username": username, "password": password, "otp": self.otp(username)},
        )
        assert response.status_code == 200, response.text
        return client, response.json()["csrf_token"]

    def page_client(self, username: str, password: str = PASSWORD) -> tuple[TestClient, str]:
        """A client signed in through the sign-in page, and the CSRF token of its forms."""
        client = self.new_client()
        response = sign_in_with_form(client, username, password, self.otp(username))
        assert response.status_code == 303, response.text
        return client, csrf_field(client.get("/irt").text)


def sign_in_with_form(client: TestClient, username: str, password: str, otp: str = "") -> Any:
    form = client.get("/irt/sign-in")
    return client.post(
        "/irt/sign-in",
        data={
            "username": username,
            "password": password,
            "otp": otp,
            "csrf_token": csrf_field(form.text),
        },
        follow_redirects=False,
    )


@contextmanager
def irt_app(tmp_path: Path, **settings: Any) -> Iterator[IrtApp]:
    values = irt_settings(tmp_path, **settings)
    upgrade_to_head(values.database_url)
    engine = make_engine(values.database_url)
    cipher = FieldCipher(
        values.encryption_keys.get_secret_value(), values.blind_index_key.get_secret_value()
    )
    app = IrtApp(values, TestClient(create_app(values)), make_session_factory(engine), cipher)
    try:
        with app.client:
            app.client.app.state.services.passwords = FAST_PASSWORDS  # type: ignore[attr-defined]
            yield app
    finally:
        for client in app.clients:
            client.close()
        engine.dispose()
