"""Staff roles, accounts and sessions as the sign-in rules see them, and the rule for a new
password (SPEC §6). Stored by bot.adapters.db.staff; used by bot.services.staff_auth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MIN_PASSWORD_LENGTH = 12
# Argon2 reads every byte: a megabyte "password" would be a cheap way to load the server.
MAX_PASSWORD_LENGTH = 1024


class Role(StrEnum):
    IRT_MANAGER = "irt_manager"
    ADMIN = "admin"


class PasswordPolicyError(ValueError):
    pass


def check_password_policy(password: str) -> None:
    """The rule for a new password: at least 12 characters (NCSC: length over complexity)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise PasswordPolicyError("the password cannot be only spaces")


@dataclass(frozen=True)
class StaffAccount:
    id: int
    username: str
    role: Role
    created_at: datetime
    failed_attempts: int
    locked_until: datetime | None
    disabled_at: datetime | None
    password_hash: str | None
    # The TOTP secret as the record keys encrypted it; confirmed once a code from it was typed.
    totp_secret: str | None = None
    totp_confirmed: bool = False
    totp_last_step: int | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True)
class SessionRecord:
    id: str
    account: StaffAccount
    created_at: datetime
    last_seen_at: datetime
    csrf_token: str
    second_factor: bool = True


@dataclass(frozen=True)
class NewSession:
    """What the client keeps: the cookie's value (never stored) and the CSRF token."""

    token: str
    csrf_token: str
    record: SessionRecord
