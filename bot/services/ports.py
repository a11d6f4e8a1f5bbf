"""What the sign-in use cases need besides storage (bot.services.unit_of_work), as interfaces:
the password hasher, the cipher that keeps TOTP secrets, the TOTP and recovery codes, and the
limits on sign-in attempts. The real ones are bot.adapters.passwords.Passwords,
bot.adapters.crypto.FieldCipher, bot.adapters.totp.TotpCodes and api.rate_limits.Limits, put
together by the composition root (api.services.AppServices.sign_in_tools);
tests/unit/services/staff_fakes.py has quick ones."""

from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password: str, stored_hash: str | None) -> tuple[bool, str | None]:
        """(matches, a new hash to store or None)."""
        ...

    def verify_nothing(self, password: str) -> None:
        """The time of a verification, for a name with no account."""
        ...


class SecretBox(Protocol):
    """Seals an account's TOTP secret to that account (a token moved to another fails)."""

    def encrypt(self, plaintext: str, account_id: int) -> str: ...

    def decrypt(self, token: str | None, account_id: int) -> str | None: ...


class OneTimeCodes(Protocol):
    def new_secret(self) -> str: ...

    def provisioning_uri(self, secret: str, username: str) -> str: ...

    def matching_step(self, secret: str, code: str) -> int | None:
        """The time step whose code this is (now or one step either side), else None."""
        ...

    def new_recovery_codes(self) -> list[str]: ...

    def recovery_code_hash(self, code: str) -> str | None:
        """The stored form of a recovery code; None for what cannot be one."""
        ...


class Allowance(Protocol):
    @property
    def allowed(self) -> bool: ...

    @property
    def retry_after_seconds(self) -> int: ...


class SignInLimits(Protocol):
    """Counted outside the database (in Redis when there is more than one API instance)."""

    def sign_in_attempt(self, client: str) -> Allowance:
        """Counts an attempt from this client address."""
        ...

    def sign_in_failure(self, username: str) -> object:
        """Counts a failure for the account, from wherever it came."""
        ...

    def account_is_limited(self, username: str) -> bool: ...

    def client_key(self, client: str) -> str:
        """The client address as a keyed hash, for the per-account-and-client lock."""
        ...


class Slots(Protocol):
    """How many password checks may run at once (a threading.BoundedSemaphore)."""

    def acquire(self, blocking: bool = ...) -> bool: ...

    def release(self) -> None: ...
