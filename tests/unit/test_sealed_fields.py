"""The one register of encrypted columns, and a value that cannot be decrypted on a page."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from bot.adapters.crypto import FieldCipher, Place, generate_key
from bot.adapters.db.models import Base
from bot.adapters.sealed_fields import ENCRYPTED_COLUMNS, ROW_KEYS, UNREADABLE, Sealer, place

SECRET = "Bruises on both arms noticed at nursery"


@dataclass
class Row:
    """Stands for an ORM row: only its table name, key and columns are read."""

    reference: str
    concern: str | None = None
    child_name: str | None = None
    __tablename__ = "contacts"


def sealer() -> Sealer:
    return Sealer(FieldCipher(generate_key(), generate_key()))


def test_every_registered_column_exists_in_its_table_and_each_table_names_its_row() -> None:
    tables = Base.metadata.tables
    for table, columns in ENCRYPTED_COLUMNS.items():
        assert ROW_KEYS[table] in tables[table].columns
        for column in columns:
            assert column in tables[table].columns, f"{table}.{column}"


def test_a_column_not_registered_is_refused() -> None:
    with pytest.raises(KeyError, match="not an encrypted column"):
        place("contacts", "reference", "PCL-2026-000001")
    with pytest.raises(ValueError, match="flush it first"):
        place("manager_decisions", "rationale", None)
    assert place("staff_users", "totp_secret", 7) == Place("staff_users", "totp_secret", "7")


def test_a_value_moved_to_another_row_shows_as_unreadable_and_logs_no_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = sealer()
    first, second = Row("PCL-2026-000001"), Row("PCL-2026-000002")
    s.seal(first, "concern", SECRET)
    assert s.show(first, "concern") == SECRET
    second.concern = first.concern  # swapped in the database by someone with write access
    first.child_name = first.concern  # or moved to another column
    with caplog.at_level(logging.ERROR):
        assert s.show(second, "concern") == UNREADABLE
        assert s.show(first, "child_name") == UNREADABLE
        assert s.show(second, "concern", unreadable=None) is None
    assert "contacts.concern of row PCL-2026-000002" in caplog.text
    assert SECRET not in caplog.text
