"""Migrations run from empty to head, back down to empty, and up again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from bot.records.database import make_engine
from bot.records.migrations import downgrade_to, upgrade_to_head


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_migrations_go_up_down_and_up_again_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_to_head(url)
    assert "anonymous_statistics" in tables(url)
    downgrade_to(url, "base")
    assert tables(url) == set()
    upgrade_to_head(url)
    assert "anonymous_statistics" in tables(url)
