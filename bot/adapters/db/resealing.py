"""Re-encrypting every registered encrypted column (bot.adapters.sealed_fields) in place: binding
the tokens written before issue 19 to their table, column and row (migration 0011), and
re-encrypting under the newest key after a rotation. Runs on a migration's connection."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.adapters.crypto import FieldCipher, Place, generate_key
from bot.adapters.sealed_fields import ENCRYPTED_COLUMNS, ROW_KEYS, place

# What to do with one token: given the cipher, the token and its place, the new token (or the
# same one, to leave it).
Convert = Callable[[FieldCipher, str, Place], str | None]


def bind(cipher: FieldCipher, token: str, where: Place) -> str | None:
    return cipher.reencrypt(token, where)


def unbind(cipher: FieldCipher, token: str, where: Place) -> str | None:
    return cipher.unbind(token, where) if token.startswith("v2.") else token


def cipher_from(keys: str | None) -> FieldCipher:
    """The keyring as the app gets it (PCL_ENCRYPTION_KEYS, newest first). The blind index is
    not touched here, so its key is not needed."""
    if not keys:
        raise RuntimeError(
            "this migration re-encrypts the records' encrypted fields: run it with "
            "PCL_ENCRYPTION_KEYS set as the app has it (docs/production.md, Migrations)"
        )
    return FieldCipher(keys, generate_key())


def reseal(connection: Connection, keys: str | None, convert: Convert) -> int:
    """Applies `convert` to every stored token; returns how many changed. The keyring is asked
    for only when there is a token (an empty database migrates without keys)."""
    inspector = sa.inspect(connection)
    cipher: FieldCipher | None = None
    changed = 0
    for table_name, registered in ENCRYPTED_COLUMNS.items():
        if not inspector.has_table(table_name):
            continue
        present = {c["name"] for c in inspector.get_columns(table_name)}
        columns = [c for c in registered if c in present]  # added by a later migration
        key = ROW_KEYS[table_name]
        table = sa.table(table_name, *(sa.column(n) for n in (key, *columns)))
        rows = connection.execute(sa.select(table)).mappings().all()
        for row in rows:
            values = {}
            for column in columns:
                token = row[column]
                if token is None:
                    continue
                cipher = cipher or cipher_from(keys)
                new = convert(cipher, token, place(table_name, column, row[key]))
                if new != token:
                    values[column] = new
            if values:
                connection.execute(table.update().where(table.c[key] == row[key]).values(**values))
                changed += 1
    return changed
