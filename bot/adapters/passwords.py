"""Staff passwords: Argon2id through pwdlib, shared by the sign-in and the `api.users` command.

Verifying checks whether the stored hash was made with weaker parameters than today's and, if
so, gives back a fresh hash to store (rehash on sign-in). `verify_nothing` spends the time of a
real verification on a dummy hash, so that an unknown username answers as slowly as a known one.
"""

from __future__ import annotations

from functools import cached_property

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError

# The policy is a rule of the domain; imported here too for the accounts command.
from bot.domain.staff import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PasswordPolicyError,
    check_password_policy,
)

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "PasswordPolicyError",
    "Passwords",
    "check_password_policy",
]

_DUMMY_PASSWORD = "not-a-password-of-anyone"  # noqa: S105 - hashed once, to waste time equally


class Passwords:
    def __init__(self, hasher: PasswordHash | None = None) -> None:
        self._hasher = hasher or PasswordHash.recommended()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password: str, stored_hash: str | None) -> tuple[bool, str | None]:
        """(matches, a new hash to store or None). A missing or unrecognised stored hash (an
        account that signs in another way) never matches, after the same work as a real one."""
        if len(password) > MAX_PASSWORD_LENGTH:
            self.verify_nothing(password[:MAX_PASSWORD_LENGTH])
            return False, None
        if not stored_hash:
            self.verify_nothing(password)
            return False, None
        try:
            return self._hasher.verify_and_update(password, stored_hash)
        except UnknownHashError:
            self.verify_nothing(password)
            return False, None

    def verify_nothing(self, password: str) -> None:
        """A verification against a dummy hash: the same cost, never a match that counts."""
        self._hasher.verify(password[:MAX_PASSWORD_LENGTH], self._dummy_hash)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash(_DUMMY_PASSWORD)
