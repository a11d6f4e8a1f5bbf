"""The second factor: time-based one-time codes (RFC 6238, through pyotp) and recovery codes.

A code is accepted for the current 30-second step and the one either side (clocks drift), and
`matching_step` says which step it matched so that the caller can refuse a step already used.
Recovery codes are random, shown once, and stored hashed (hash_recovery_code).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time

import pyotp

ISSUER = "Professional Consultation Line"
RECOVERY_CODES = 8
_CODE = re.compile(r"[0-9]{6}")
_STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (from a QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code this is (this step or one either side), else None."""
    code = normalise_code(code)
    if not _CODE.fullmatch(code):
        return None
    now = time.time() if at is None else at
    totp = pyotp.TOTP(secret)
    step = int(now // _STEP_SECONDS)
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.at(candidate * _STEP_SECONDS), code):
            return candidate
    return None


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Codes such as "k7q2-9xvm-3pdf": 60 random bits each, easy to read aloud."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        for _ in range(count)
    ]


def normalise_recovery_code(code: str) -> str:
    bare = re.sub(r"[^a-z0-9]", "", (code or "").lower())
    return "-".join(bare[i : i + 4] for i in range(0, len(bare), 4))


def hash_recovery_code(code: str) -> str:
    """SHA-256 of the normalised code: with 60 random bits a code needs no slow hash (unlike a
    chosen password), and checking one costs nothing an attacker could use to load the server."""
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def recovery_code_hash(code: str) -> str | None:
    """The hash of something shaped like a recovery code (three groups of four), else None."""
    if len(normalise_recovery_code(code)) != 14:
        return None
    return hash_recovery_code(code)


class TotpCodes:
    """These functions as the sign-in use cases' port (bot.services.ports.OneTimeCodes)."""

    def new_secret(self) -> str:
        return new_secret()

    def provisioning_uri(self, secret: str, username: str) -> str:
        return provisioning_uri(secret, username)

    def matching_step(self, secret: str, code: str) -> int | None:
        return matching_step(secret, code)

    def new_recovery_codes(self) -> list[str]:
        return new_recovery_codes()

    def recovery_code_hash(self, code: str) -> str | None:
        return recovery_code_hash(code)
