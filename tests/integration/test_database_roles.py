"""The production logins on PostgreSQL (scripts/postgres_roles.sql, docs/production.md): the
migration login owns the schema; the runtime login (the API's and the action server's) reads
and writes rows but cannot create, alter or drop a table, cannot drop or disable the audit
log's triggers and cannot change or delete an audit event; and the runtime does not migrate in
production, it says how to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api import migrate
from bot.adapters.crypto import FieldCipher, generate_key
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.migrations import SchemaNotAtHeadError, prepare_schema, upgrade_to_head
from tests.integration.test_contacts import CONCERN, contact
from tests.support.services import postgres_roles, require_postgres, temporary_postgres_database

KEYS = generate_key()


@pytest.fixture(scope="module")
def logins() -> Iterator[tuple[str, str]]:
    admin = require_postgres()
    with temporary_postgres_database(admin) as database, postgres_roles(admin, database) as urls:
        yield urls


def refused(url: str, statement: str) -> str:
    """The database's refusal of `statement` run as the login of `url`."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection, pytest.raises(DBAPIError) as refusal:
            connection.execute(text(statement))
        return str(refusal.value.orig)
    finally:
        engine.dispose()


def test_the_runtime_does_not_migrate_in_production_and_says_how(logins: tuple[str, str]) -> None:
    owner, runtime = logins
    with pytest.raises(SchemaNotAtHeadError, match=r"python -m api\.migrate"):
        prepare_schema(runtime, production=True, encryption_keys=KEYS)
    with pytest.raises(DBAPIError, match="permission denied"):
        upgrade_to_head(runtime, KEYS)  # nor could it
    upgrade_to_head(owner, KEYS)
    prepare_schema(runtime, production=True, encryption_keys=KEYS)  # at head: it serves


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id integer)",
        "DROP TABLE contacts",
        "ALTER TABLE contacts ADD COLUMN leaked text",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
        "DROP TRIGGER audit_events_no_change ON audit_events",
        "DROP FUNCTION audit_events_append_only() CASCADE",
        "TRUNCATE audit_events",
    ],
)
def test_the_runtime_login_has_no_ddl_and_cannot_touch_the_audit_triggers(
    logins: tuple[str, str], statement: str
) -> None:
    owner, runtime = logins
    upgrade_to_head(owner, KEYS)
    reason = refused(runtime, statement)
    assert "permission denied" in reason or "must be owner" in reason, reason


def test_the_runtime_login_keeps_records_and_cannot_rewrite_the_audit_log(
    logins: tuple[str, str],
) -> None:
    owner, runtime = logins
    upgrade_to_head(owner, KEYS)
    cipher = FieldCipher(KEYS, generate_key())
    engine = make_engine(runtime)
    try:
        with make_session_factory(engine).begin() as session:
            contacts = ContactRepository(session, cipher, timezone="Europe/London")
            reference = contacts.create(contact())
            contacts.add_audit("manager.a", "view_contact", reference)
        with make_session_factory(engine)() as session:
            view = ContactRepository(session, cipher, timezone="Europe/London").get(reference)
            assert view.concern == CONCERN
    finally:
        engine.dispose()
    for statement in ("UPDATE audit_events SET actor = 'nobody'", "DELETE FROM audit_events"):
        assert "append-only" in refused(runtime, statement)


def test_the_migrate_command_migrates_with_the_migration_login(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert migrate.main({}) == 2
    assert "PCL_MIGRATION_DATABASE_URL" in capsys.readouterr().err
    url = f"sqlite:///{tmp_path / 'pcl.db'}"
    with pytest.raises(SchemaNotAtHeadError):
        prepare_schema(url, production=True, encryption_keys=KEYS)
    runtime = f"sqlite:///{tmp_path / 'missing' / 'not-this.db'}"  # not the one it uses
    assert migrate.main({"PCL_MIGRATION_DATABASE_URL": url, "PCL_DATABASE_URL": runtime}) == 0
    prepare_schema(url, production=True, encryption_keys=KEYS)
