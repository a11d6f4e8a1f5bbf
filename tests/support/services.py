"""The outside services tests may use (PostgreSQL, Redis): found on 127.0.0.1 or skipped.

With PCL_REQUIRE_SERVICES=1 (CI, or a machine that must run everything) a missing service fails
the test instead, so a green run cannot hide a skipped half.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.support.ports import free_port

POSTGRES_HOST = os.environ.get("PCL_TEST_POSTGRES_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("PCL_TEST_POSTGRES_PORT", "5432"))
POSTGRES_USERS = ("postgres", "root")  # trust authentication: the first that connects
REDIS_HOST = os.environ.get("PCL_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("PCL_TEST_REDIS_PORT", "6379"))


def unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the run has promised every service (PCL_REQUIRE_SERVICES=1)."""
    if os.environ.get("PCL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (PCL_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def _postgres_admin_url() -> tuple[str | None, str]:
    last_error = "no user tried"
    for user in POSTGRES_USERS:
        url = f"postgresql+psycopg://{user}@{POSTGRES_HOST}:{POSTGRES_PORT}/postgres"
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return url, ""
        except DBAPIError as error:  # any refusal (no server, no such role) means "not here"
            last_error = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        finally:
            engine.dispose()
    return None, last_error


def require_postgres() -> str:
    """The URL of the server's `postgres` database as a superuser, or skip (or fail)."""
    url, error = _postgres_admin_url()
    if url is None:
        unavailable(f"PostgreSQL is not reachable on {POSTGRES_HOST}:{POSTGRES_PORT}: {error}")
    return url


def require_redis() -> str:
    """The URL of a Redis answering PING, or skip (or fail)."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=3) as connection:
            connection.sendall(b"PING\r\n")
            answer = connection.recv(16)
    except OSError as error:
        unavailable(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}: {error}")
    if not answer.startswith(b"+PONG"):
        unavailable(f"Redis on {REDIS_HOST}:{REDIS_PORT} did not answer PING: {answer!r}")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


@contextmanager
def temporary_postgres_database(admin_url: str) -> Iterator[str]:
    """A new, uniquely named database for this run; dropped afterwards even if connections
    were left open, or the server was restarted in between (tests/faults restarts it)."""
    name = f"pcl_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def reset_postgres_database(url: str) -> None:
    """Empties a test database completely (tables, triggers, functions) for the next test."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def libpq_url(url: str) -> str:
    """The same database as a plain libpq URL, for pg_dump and psql."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_roles(admin_url: str, database_url: str) -> Iterator[tuple[str, str]]:
    """The production logins (scripts/postgres_roles.sql) on a test database: yields the
    migration login's URL and the runtime login's; afterwards the database goes back to the
    superuser and the roles are dropped (close their connections first)."""
    tag = secrets.token_hex(4)
    owner, runtime = f"pcl_test_migrator_{tag}", f"pcl_test_app_{tag}"
    database = make_url(database_url).database or ""
    result = subprocess.run(
        [
            "psql",
            "--quiet",
            *("-v", f"db={database}", "-v", f"owner={owner}", "-v", f"runtime={runtime}"),
            *("-v", "owner_password=unused-with-trust", "-v", "runtime_password=unused"),
            "-f",
            str(Path(__file__).resolve().parents[2] / "scripts" / "postgres_roles.sql"),
            libpq_url(admin_url),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    base = make_url(database_url)
    try:
        yield (
            base.set(username=owner).render_as_string(hide_password=False),
            base.set(username=runtime).render_as_string(hide_password=False),
        )
    finally:
        _drop_roles(admin_url, database, owner, runtime)


def _drop_roles(admin_url: str, database: str, *roles: str) -> None:
    """Gives the database and what the roles own back to the superuser, then drops them."""
    names = ", ".join(f'"{role}"' for role in roles)
    for url, statements in (
        (admin_url, [f'ALTER DATABASE "{database}" OWNER TO CURRENT_USER']),
        (
            make_url(admin_url).set(database=database).render_as_string(hide_password=False),
            # One role at a time: one statement for both trips over their shared default ACL.
            [
                f"REASSIGN OWNED BY {names} TO CURRENT_USER",
                *(f'DROP OWNED BY "{role}"' for role in roles),
            ],
        ),
        (admin_url, [f'DROP ROLE IF EXISTS "{role}"' for role in roles]),
    ):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                for statement in statements:
                    connection.execute(text(statement))
        finally:
            engine.dispose()


class PrivatePostgres:
    """A PostgreSQL server of the test's own (initdb in a temporary folder, a free port), for a
    test that restarts the server: the machine's shared server, which tests running beside it
    use, is never touched. As root (these machines), its commands run as `postgres`."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
        initdb = shutil.which("initdb") or (binaries[-1] if binaries else None)
        if initdb is None:
            unavailable("PostgreSQL's initdb is not installed: no private server can be started")
        self.bin = Path(initdb).parent
        self.directory = Path(tempfile.mkdtemp(prefix="pcl-pg-"))
        self.data = self.directory / "data"
        self.port = free_port(POSTGRES_HOST)
        self.admin_url = f"postgresql+psycopg://postgres@{POSTGRES_HOST}:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*as_postgres, str(self.bin / command[0]), *command[1:]],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{command[0]}: {result.stdout}{result.stderr}"

    def _pg_ctl(self, action: str) -> None:
        options = f"-c listen_addresses={POSTGRES_HOST} -p {self.port} -k {self.directory}"
        log = str(self.directory / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", action)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self._pg_ctl("start")

    def restart(self) -> None:
        self._pg_ctl("restart")

    def close(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parents[1].name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.close()
