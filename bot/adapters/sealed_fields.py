"""Every encrypted column, named in one place, and where each token is bound (bot.adapters.crypto
`Place`): its table, its column and its row's key, which must be known before the value is
written and never change. A new encrypted column is one more name in ENCRYPTED_COLUMNS; the
repositories seal and read values only through `Sealer`, and migration 0011 re-encrypts every
column listed here.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.adapters.crypto import DecryptionError, FieldCipher, Place

logger = logging.getLogger(__name__)

# The column naming each table's row: a contact's reference is allocated before it is inserted;
# a row keyed by its id is flushed first (its id is then known), then sealed.
ROW_KEYS: dict[str, str] = {
    "contacts": "reference",
    "contact_status_history": "id",
    "manager_decisions": "id",
    "staff_users": "id",
}

ENCRYPTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "contacts": (
        *(f"caller_{name}" for name in ("name", "role", "agency", "address", "phone", "email")),
        *(f"child_{n}" for n in ("name", "dob", "age", "unborn", "address", "setting", "carers")),
        "concern",
        "family_aware",
        "consent_reason",
        "advice_given",
        "erasure_rationale",
    ),
    "contact_status_history": ("rationale",),
    "manager_decisions": ("rationale",),
    "staff_users": ("totp_secret",),
}

# What a page shows for a value that cannot be decrypted (moved, tampered with, key missing).
UNREADABLE = "[cannot be read: this value was altered or its key is missing]"


def place(table: str, column: str, row_key: object) -> Place:
    if column not in ENCRYPTED_COLUMNS.get(table, ()):
        raise KeyError(f"{table}.{column} is not an encrypted column (bot.adapters.sealed_fields)")
    if row_key is None:
        raise ValueError(f"the row of {table}.{column} has no key yet: flush it first")
    return Place(table, column, str(row_key))


def place_of(row: Any, column: str) -> Place:
    """Where a column of an ORM row is stored."""
    table = row.__tablename__
    return place(table, column, getattr(row, ROW_KEYS[table]))


class Sealer:
    """Seals and reads the encrypted columns of ORM rows with one cipher."""

    def __init__(self, cipher: FieldCipher) -> None:
        self.cipher = cipher

    def seal(self, row: Any, column: str, text: str | None) -> None:
        setattr(row, column, self.cipher.encrypt(text, place_of(row, column)))

    def read(self, row: Any, column: str) -> str | None:
        """The value, or DecryptionError: for a value the code goes on to change."""
        return self.cipher.decrypt(getattr(row, column), place_of(row, column))

    def show(self, row: Any, column: str, unreadable: str | None = UNREADABLE) -> str | None:
        """The value for a page: one that cannot be decrypted shows `unreadable` (and is
        logged by its place, never its content) instead of failing the whole page."""
        try:
            return self.read(row, column)
        except DecryptionError as error:
            logger.error("unreadable encrypted value: %s", error)
            return unreadable


def totp_place(account_id: int) -> Place:
    """Where an account's TOTP secret is stored (its token is bound to it)."""
    return place("staff_users", "totp_secret", account_id)


class TotpSecrets:
    """The sign-in services' `SecretBox`: each account's TOTP secret sealed to that account."""

    def __init__(self, cipher: FieldCipher) -> None:
        self._cipher = cipher

    def encrypt(self, plaintext: str, account_id: int) -> str:
        token = self._cipher.encrypt(plaintext, totp_place(account_id))
        assert token is not None  # a str in, a token out
        return token

    def decrypt(self, token: str | None, account_id: int) -> str | None:
        return self._cipher.decrypt(token, totp_place(account_id))
