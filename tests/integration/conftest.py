"""Databases for the record tests: a SQLite file per test, and one temporary PostgreSQL
database per session, emptied before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.crypto import FieldCipher, generate_key
from bot.adapters.db.migrations import upgrade_to_head
from tests.support.services import (
    require_postgres,
    reset_postgres_database,
    temporary_postgres_database,
)

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    with temporary_postgres_database(require_postgres()) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend (nothing migrated yet)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pcl.db'}"
    url: str = request.getfixturevalue("postgres_database")
    reset_postgres_database(url)
    return url


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """A database on each backend, migrated to head."""
    upgrade_to_head(empty_database_url)
    return empty_database_url


@pytest.fixture
def cipher() -> FieldCipher:
    """A keyring with a newest and an older key, as during a rotation."""
    return FieldCipher(f"{generate_key()},{generate_key()}", generate_key())
