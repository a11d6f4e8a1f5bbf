"""IRT staff over the real stack: accounts made with `python -m api.users` in the stack's
environment, as an administrator makes them (its last line, the otpauth:// URI, kept to compute
the account's codes with pyotp), and an HTTP client signed in through the JSON API
(`POST /irt/api/login`) with a code and the session's CSRF token."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp

from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.staff import StaffRepository
from tests.support.stack import ROOT, Stack


def add_staff(stack: Stack, role: str = "irt_manager", **env: str) -> tuple[str, str]:
    """A new account through the command line; `env` overrides the stack's environment (for
    an API instance with a database of its own, `PCL_DATABASE_URL`)."""
    username = f"{role.replace('_', '-')}-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(18)
    result = subprocess.run(
        [sys.executable, "-m", "api.users", "add", username, "--role", role],
        input=password + "\n",
        capture_output=True,
        text=True,
        env=stack.env(**env),
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    uri = result.stdout.strip().splitlines()[-1]
    assert uri.startswith("otpauth://totp/"), result.stdout
    SECRETS[username] = parse_qs(urlsplit(uri).query)["secret"][0]
    return username, password


# The TOTP secret of each account add_staff made, and the last time step a code was used for:
# the service takes a step's code once, and the tests sign in more often than every 30 s.
SECRETS: dict[str, str] = {}
_USED_STEPS: dict[str, int] = {}


def next_code(username: str, secret: str | None = None) -> tuple[str, int]:
    """A code of the account's secret the service has not taken yet, and its time step (the
    current step's, or the next one's, which the service also takes; waiting for a new step
    when both are used). Mark it with `used` once the service took it."""
    secret = secret or SECRETS[username]
    while True:
        step = int(time.time() // 30)
        used_step = _USED_STEPS.get(username, -1)
        if used_step < step + 1:
            chosen = max(step, used_step + 1)
            return pyotp.TOTP(secret).at(chosen * 30), chosen
        time.sleep(30 - time.time() % 30 + 0.5)


def used(username: str, step: int) -> None:
    _USED_STEPS[username] = max(step, _USED_STEPS.get(username, -1))


@dataclass
class StaffSession:
    """A member of staff signed in through the JSON API: the session cookie and CSRF token."""

    api_url: str
    username: str
    password: str
    token: str = ""
    csrf_token: str = ""

    def sign_in(self) -> StaffSession:
        otp, step = next_code(self.username)
        with httpx.Client(base_url=self.api_url, timeout=60) as client:
            response = client.post(
                "/irt/api/login",
                json={
                    "username": self.username,
                    "password": self.password,
                    "otp": otp,
                },
            )
            assert response.status_code == 200, response.text
            used(self.username, step)
            self.token = client.cookies["pcl_staff"]
        self.csrf_token = response.json()["csrf_token"]
        return self

    def start_in_database(self, database_url: str) -> StaffSession:
        """A new session written straight into the database, as a sign-in would start it: for
        a test that ends sessions faster than an authenticator gives new codes."""
        engine = make_engine(database_url)
        try:
            with make_session_factory(engine).begin() as session:
                staff = StaffRepository(session)
                account = staff.find(self.username)
                assert account is not None
                new = staff.create_session(account.id, datetime.now(UTC))
        finally:
            engine.dispose()
        self.token, self.csrf_token = new.token, new.csrf_token
        return self

    @property
    def cookies(self) -> dict[str, str]:
        return {"pcl_staff": self.token}

    @property
    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf_token}

    def client(self) -> httpx.Client:
        """A client carrying the session (the caller closes it)."""
        return httpx.Client(
            base_url=self.api_url, timeout=60, cookies=self.cookies, headers=self.headers
        )
