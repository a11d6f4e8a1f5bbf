"""Migrations run from empty to head, back down to empty, and up again, on SQLite and
PostgreSQL; and the models say what the migrations built."""

from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.adapters.db.database import make_engine
from bot.adapters.db.migrations import downgrade_to, upgrade_to_head
from bot.adapters.db.models import Base
from bot.adapters.settings import PROJECT_ROOT
from tests.support.services import reset_postgres_database

TABLES = {
    "staff_sign_in_locks",
    "staff_recovery_codes",
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
    "irt_alerts",
    "irt_alert_sends",
    "irt_alert_gate",
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


def test_api_instances_starting_together_migrate_once(postgres_database: str) -> None:
    """Production starts several API instances, and each migrates before it serves: on
    PostgreSQL they take turns, and the ones that come after find the schema at head."""
    reset_postgres_database(postgres_database)
    migrate = "import sys, bot.adapters.db.migrations as m; m.upgrade_to_head(sys.argv[1])"
    instances = [
        subprocess.Popen(
            [sys.executable, "-c", migrate, postgres_database],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(4)
    ]
    outputs = [
        instance.communicate(timeout=120)[0].decode(errors="replace") for instance in instances
    ]
    assert [instance.returncode for instance in instances] == [0] * 4, outputs
    assert tables(postgres_database) == TABLES
