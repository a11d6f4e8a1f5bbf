"""`python -m api.users`: staff accounts from the command line, the password from standard
input and never shorter than 12 characters."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import select

from api.users import main
from bot.adapters.crypto import generate_key
from bot.adapters.db.database import make_engine
from bot.adapters.db.migrations import upgrade_to_head
from bot.adapters.db.models import StaffUser
from bot.adapters.passwords import Passwords
from bot.adapters.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    values = {
        "PCL_ENV": "test",
        "PCL_DATA_DIR": str(tmp_path),
        "PCL_DATABASE_URL": f"sqlite:///{tmp_path / 'pcl.db'}",
        "PCL_RASA_TOKEN": "t" * 40,
        "PCL_HMAC_KEY": "k" * 40,
        "PCL_ENCRYPTION_KEYS": generate_key(),
        "PCL_BLIND_INDEX_KEY": generate_key(),
    }
    for name in list(os.environ):
        if name.startswith("PCL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PCL_ENV", "test")  # settings default to production
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def run(*args: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def users(environment: dict[str, str]) -> dict[str, StaffUser]:
    upgrade_to_head(environment["PCL_DATABASE_URL"])  # a refused command may not have
    engine = make_engine(environment["PCL_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(StaffUser)).all()
            return {row.username: row for row in rows}
    finally:
        engine.dispose()


def test_add_reads_the_password_from_stdin_and_stores_only_its_argon2_hash(
    environment: dict[str, str],
) -> None:
    code, out = run("add", "Jo.Manager", "--role", "irt_manager", stdin="a long enough secret\n")
    assert code == 0 and out.splitlines()[0] == "added jo.manager (irt_manager)"
    stored = users(environment)["jo.manager"]
    assert stored.role == "irt_manager" and stored.password_hash
    assert stored.password_hash.startswith("$argon2id$")
    assert "a long enough secret" not in stored.password_hash
    assert Passwords().verify("a long enough secret", stored.password_hash)[0]


def test_add_prints_the_accounts_totp_secret_as_an_otpauth_uri_on_its_last_line(
    environment: dict[str, str],
) -> None:
    code, out = run("add", "jo", "--role", "irt_manager", stdin="a long enough secret\n")
    uri = out.splitlines()[-1]
    assert code == 0 and uri.startswith("otpauth://totp/")
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    stored = users(environment)["jo"]
    # Kept encrypted with the record keys, and not confirmed until a code from it is typed.
    assert stored.totp_secret and secret not in stored.totp_secret
    assert stored.totp_confirmed_at is None
    assert pyotp.TOTP(secret).now().isdigit()
    code, again = run("reset-second-factor", "jo")
    assert code == 0 and again.splitlines()[-1].startswith("otpauth://totp/")
    assert again.splitlines()[-1] != uri


def test_a_password_shorter_than_12_characters_is_refused(
    environment: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("add", "jo", "--role", "admin", stdin="elevenchars\n")[0] == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert run("add", "jo", "--role", "admin", stdin="")[0] == 1
    assert users(environment) == {}


def test_list_disable_enable_and_remove(
    environment: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    run("add", "jo", "--role", "irt_manager", stdin="a long enough secret\n")
    run("add", "sam", "--role", "admin", stdin="another long secret\n")
    assert run("list") == (0, "jo\tirt_manager\tactive\nsam\tadmin\tactive\n")
    assert run("disable", "jo")[0] == 0
    assert run("list")[1].splitlines()[0] == "jo\tirt_manager\tdisabled"
    assert run("enable", "jo")[0] == 0
    assert run("remove", "sam")[0] == 0
    assert run("list") == (0, "jo\tirt_manager\tactive\n")
    assert run("remove", "nobody")[0] == 1
    assert run("add", "jo", "--role", "admin", stdin="a long enough secret\n")[0] == 1
    assert "already" in capsys.readouterr().err


def test_the_module_runs_as_a_command(environment: dict[str, str]) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PCL_")},
        **environment,
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "api.users", "add", "cli-user", "--role", "admin"],
        input="typed on standard input\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "typed on standard input" not in result.stdout + result.stderr
    assert users(environment)["cli-user"].role == "admin"
