"""Migrations run from empty to head, back down to empty, and up again, on SQLite and
PostgreSQL; and the models say what the migrations built."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.records.database import make_engine
from bot.records.migrations import downgrade_to, upgrade_to_head
from bot.records.models import Base

TABLES = {
    "anonymous_statistics",
    "contacts",
    "contact_status_history",
    "manager_decisions",
    "audit_events",
    "reference_counters",
    "answered_turns",
    "sms_conversations",
    "staff_users",
    "staff_sessions",
}


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def triggers_and_functions(url: str) -> set[str]:
    engine = make_engine(url)
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if url.startswith("sqlite")
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
        "UNION SELECT proname FROM pg_proc WHERE proname = 'audit_events_append_only'"
    )
    try:
        with engine.connect() as connection:
            return set(connection.scalars(text(query)))
    finally:
        engine.dispose()


def test_migrations_go_up_down_and_up_again(empty_database_url: str) -> None:
    url = empty_database_url
    upgrade_to_head(url)
    assert tables(url) == TABLES
    assert triggers_and_functions(url)
    downgrade_to(url, "0001")
    assert tables(url) == {"anonymous_statistics"}
    assert triggers_and_functions(url) == set()
    downgrade_to(url, "base")
    assert tables(url) == set()
    upgrade_to_head(url)
    assert tables(url) == TABLES


def test_the_models_match_the_migrations(empty_database_url: str) -> None:
    upgrade_to_head(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
