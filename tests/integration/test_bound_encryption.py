"""Encrypted values bound to their table, column and row (issue 19), on SQLite and PostgreSQL:
a value moved to another contact shows as unreadable (the page still opens), and migration
0011 re-encrypts the values written before it (v1) to the bound format (v2), and back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection

from bot.adapters.crypto import FieldCipher, generate_key
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.migrations import alembic_config, downgrade_to, upgrade_to_head
from bot.adapters.db.models import Contact
from bot.adapters.db.staff import StaffRepository
from bot.adapters.sealed_fields import ENCRYPTED_COLUMNS, UNREADABLE, totp_place
from tests.integration.test_contacts import CHILD_NAME, CONCERN, contact

KEYS = f"{generate_key()},{generate_key()}"
TOTP = "JBSWY3DPEHPK3PXP"
# The revision 0011 follows (re-chained when branches merge).
BEFORE = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision("0011").down_revision


def tokens(connection: Connection) -> list[str]:
    found = []
    for table, columns in ENCRYPTED_COLUMNS.items():
        for column in columns:
            found += [t for t in connection.scalars(text(f"SELECT {column} FROM {table}")) if t]
    return found


def records(url: str, cipher: FieldCipher) -> tuple[str, str]:
    """Two contacts (one with a decision) and an account with a TOTP secret."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            contacts = ContactRepository(session, cipher, timezone="Europe/London")
            first, second = contacts.create(contact()), contacts.create(contact(concern="other"))
            contacts.record_decision(first, "manager", "no_further_action", "Spoke to the DSL")
            staff = StaffRepository(session)
            account = staff.add_user("irt.manager", "irt_manager", None, datetime.now(UTC))
            staff.set_totp_secret(account.id, cipher.encrypt(TOTP, totp_place(account.id)))
        return first, second
    finally:
        engine.dispose()


def read(url: str, cipher: FieldCipher, reference: str) -> tuple[str | None, ...]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            view = ContactRepository(session, cipher, timezone="Europe/London").get(reference)
            account = StaffRepository(session).find("irt.manager")
            assert account is not None
            secret = cipher.decrypt(account.totp_secret, totp_place(account.id))
            return view.child.name, view.concern, view.decisions[0].rationale, secret
    finally:
        engine.dispose()


def test_a_value_moved_to_another_contact_is_unreadable_there_and_the_contact_still_opens(
    database_url: str,
) -> None:
    cipher = FieldCipher(KEYS, generate_key())
    first, second = records(database_url, cipher)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            moved = session.scalar(select(Contact.concern).where(Contact.reference == first))
            session.execute(
                update(Contact).where(Contact.reference == second).values(concern=moved)
            )
            session.execute(
                update(Contact).where(Contact.reference == first).values(child_carers=moved)
            )
        with make_session_factory(engine).begin() as session:
            contacts = ContactRepository(session, cipher, timezone="Europe/London")
            swapped, original = contacts.get(second), contacts.get(first)
    finally:
        engine.dispose()
    assert swapped.concern == UNREADABLE and swapped.child.name == CHILD_NAME
    assert original.concern == CONCERN and original.child.carers == UNREADABLE


def test_migration_0011_binds_the_values_written_before_it_and_unbinds_them_going_down(
    empty_database_url: str,
) -> None:
    url, cipher = empty_database_url, FieldCipher(KEYS, generate_key())
    upgrade_to_head(url)
    first, _ = records(url, cipher)
    expected = read(url, cipher, first)
    assert expected == (CHILD_NAME, CONCERN, "Spoke to the DSL", TOTP)
    engine = make_engine(url)
    try:
        downgrade_to(url, BEFORE, KEYS)  # as the code before 0011 wrote them
        with engine.connect() as connection:
            before = tokens(connection)
        assert before and all(t.startswith("v1.") for t in before)
        assert read(url, cipher, first) == expected  # still read

        upgrade_to_head(url, KEYS)
        with engine.connect() as connection:
            after = tokens(connection)
        assert len(after) == len(before) and all(t.startswith("v2.") for t in after)
        assert read(url, cipher, first) == expected
    finally:
        engine.dispose()


def test_migration_0011_needs_the_keys_only_when_there_are_records(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PCL_ENCRYPTION_KEYS", raising=False)
    url = empty_database_url
    upgrade_to_head(url)  # an empty database: nothing to re-encrypt, no keys needed
    records(url, FieldCipher(KEYS, generate_key()))
    with pytest.raises(RuntimeError, match="PCL_ENCRYPTION_KEYS"):
        downgrade_to(url, BEFORE)
