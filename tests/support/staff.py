"""IRT staff over the real stack: accounts made with `python -m api.users` in the stack's
environment, as an administrator makes them, and an HTTP client signed in through the JSON API
(`POST /irt/api/login`) with the session's CSRF token."""

from __future__ import annotations

import secrets
import subprocess
import sys
from dataclasses import dataclass

import httpx

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
    return username, password


@dataclass
class StaffSession:
    """A member of staff signed in through the JSON API: the session cookie and CSRF token."""

    api_url: str
    username: str
    password: str
    token: str = ""
    csrf_token: str = ""

    def sign_in(self) -> StaffSession:
        with httpx.Client(base_url=self.api_url, timeout=60) as client:
            response = client.post(
                "/irt/api/login", json={"username": self.username, "password": self.password}
            )
            assert response.status_code == 200, response.text
            self.token = client.cookies["pcl_staff"]
        self.csrf_token = response.json()["csrf_token"]
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
