"""The staff accounts and the sign-in ports in memory, for the sign-in use cases' unit tests:
no database, no Argon2, no real time. The SQLAlchemy repository they stand for is tested in
tests/integration/test_staff_auth.py, the ports' real adapters beside it."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from bot.domain.staff import NewSession, Role, SessionRecord, StaffAccount
from tests.unit.services.fakes import FakeContacts
from tests.unit.services.memory import InMemoryTransaction

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class MovingClock:
    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> None:
        self.at += by


@dataclasses.dataclass
class _Session:
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    csrf_token: str
    second_factor: bool


@dataclasses.dataclass
class _Lock:
    failed_attempts: int = 0
    locked_until: datetime | None = None


@dataclasses.dataclass
class _RecoveryCode:
    user_id: int
    code_hash: str
    used_at: datetime | None = None


def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FakeStaff:
    """bot.services.unit_of_work.StaffRecords in dicts, with the repository's rules."""

    def __init__(self) -> None:
        self.users: dict[int, StaffAccount] = {}
        self.locks: dict[tuple[int, str], _Lock] = {}
        self.codes: dict[int, _RecoveryCode] = {}
        self.sessions: dict[str, _Session] = {}
        self.password_changed_at: dict[int, datetime] = {}

    def add(self, username: str, password_hash: str, role: Role = Role.IRT_MANAGER) -> int:
        user_id = len(self.users) + 1
        self.users[user_id] = StaffAccount(
            user_id, username, role, START, 0, None, None, password_hash
        )
        return user_id

    def _change(self, user_id: int, **changes: object) -> None:
        self.users[user_id] = dataclasses.replace(self.users[user_id], **changes)  # type: ignore[arg-type]

    # --- accounts ------------------------------------------------------------------------

    def find(self, username: str) -> StaffAccount | None:
        name = username.strip().casefold()
        return next((u for u in self.users.values() if u.username == name), None)

    def accounts(self) -> list[StaffAccount]:
        return sorted(self.users.values(), key=lambda u: u.username)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._change(user_id, password_hash=password_hash)

    def set_password(self, user_id: int, password_hash: str, now: datetime) -> None:
        self._change(user_id, password_hash=password_hash)
        self.password_changed_at[user_id] = now

    def is_locked_for(self, user_id: int, client_key: str, now: datetime) -> bool:
        lock = self.locks.get((user_id, client_key))
        return lock is not None and lock.locked_until is not None and lock.locked_until > now

    def record_failure(
        self, user_id: int, client_key: str, now: datetime, lock_after: int, lock_until: datetime
    ) -> bool:
        lock = self.locks.setdefault((user_id, client_key), _Lock())
        if lock.locked_until is not None and lock.locked_until <= now:
            lock.failed_attempts, lock.locked_until = 0, None
        lock.failed_attempts += 1
        if lock.failed_attempts >= lock_after:
            lock.failed_attempts, lock.locked_until = 0, lock_until
            return True
        return False

    def record_success(self, user_id: int, client_key: str) -> None:
        self.locks.pop((user_id, client_key), None)

    # --- the second factor ---------------------------------------------------------------

    def set_totp_secret(self, user_id: int, encrypted_secret: str | None) -> None:
        self._change(
            user_id, totp_secret=encrypted_secret, totp_confirmed=False, totp_last_step=None
        )
        self.codes = {k: c for k, c in self.codes.items() if c.user_id != user_id}

    def confirm_totp(self, user_id: int, now: datetime, step: int) -> None:
        self._change(user_id, totp_confirmed=True, totp_last_step=step)

    def use_totp_step(self, user_id: int, step: int) -> bool:
        last = self.users[user_id].totp_last_step
        if last is not None and last >= step:
            return False
        self._change(user_id, totp_last_step=step)
        return True

    def set_recovery_codes(self, user_id: int, code_hashes: list[str]) -> None:
        self.codes = {k: c for k, c in self.codes.items() if c.user_id != user_id}
        start = max(self.codes, default=0) + 1
        for number, code_hash in enumerate(code_hashes, start):
            self.codes[number] = _RecoveryCode(user_id, code_hash)

    def unused_recovery_codes(self, user_id: int) -> list[tuple[int, str]]:
        return [
            (k, c.code_hash)
            for k, c in self.codes.items()
            if c.user_id == user_id and c.used_at is None
        ]

    def use_recovery_code(self, code_id: int, now: datetime) -> bool:
        code = self.codes[code_id]
        if code.used_at is not None:
            return False
        code.used_at = now
        return True

    # --- sessions ------------------------------------------------------------------------

    def create_session(
        self, user_id: int, now: datetime, *, second_factor: bool = True
    ) -> NewSession:
        token, csrf_token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        self.sessions[_session_id(token)] = _Session(user_id, now, now, csrf_token, second_factor)
        record = self.session(token)
        assert record is not None
        return NewSession(token, csrf_token, record)

    def session(self, token: str) -> SessionRecord | None:
        record_id = _session_id(token)
        row = self.sessions.get(record_id)
        if row is None:
            return None
        return SessionRecord(
            record_id,
            self.users[row.user_id],
            row.created_at,
            row.last_seen_at,
            row.csrf_token,
            row.second_factor,
        )

    def touch_session(self, record_id: str, now: datetime) -> None:
        self.sessions[record_id].last_seen_at = now

    def end_session(self, token: str) -> None:
        self.end_session_by_id(_session_id(token))

    def end_session_by_id(self, record_id: str) -> None:
        self.sessions.pop(record_id, None)

    def end_other_sessions(self, user_id: int, keep_record_id: str) -> None:
        self.sessions = {
            k: s for k, s in self.sessions.items() if s.user_id != user_id or k == keep_record_id
        }

    def end_expired_sessions(self, started_before: datetime, idle_since: datetime) -> int:
        before = len(self.sessions)
        self.sessions = {
            k: s
            for k, s in self.sessions.items()
            if s.created_at >= started_before and s.last_seen_at >= idle_since
        }
        return before - len(self.sessions)


class FakeStaffUnitOfWork(InMemoryTransaction):
    """The staff records and the audit trail (bot.services.unit_of_work.StaffUnitOfWork)."""

    staff: FakeStaff
    contacts: FakeContacts

    def __init__(self) -> None:
        super().__init__(staff=FakeStaff(), contacts=FakeContacts([]))

    @property
    def committed_staff(self) -> FakeStaff:
        return self.committed["staff"]

    @property
    def audit(self) -> list[tuple[str, str, dict[str, object] | None]]:
        return [(a.actor, a.action, a.detail) for a in self.committed["contacts"].audit]


# --- the ports (bot.services.ports) ------------------------------------------------------------


class FakePasswords:
    """A "hash" anyone can read; `verified` counts the checks, dummy ones too (they cost the
    same time as a real one in the real hasher)."""

    def __init__(self) -> None:
        self.verified = 0

    def hash(self, password: str) -> str:
        return "fake$" + password

    def verify(self, password: str, stored_hash: str | None) -> tuple[bool, str | None]:
        self.verified += 1
        if stored_hash == "old$" + password:  # made with yesterday's parameters
            return True, self.hash(password)
        return stored_hash == self.hash(password), None

    def verify_nothing(self, password: str) -> None:
        self.verified += 1


class FakeCipher:
    """Seals a secret to its account as the real box does: opened for another account, it fails."""

    def encrypt(self, plaintext: str, account_id: int) -> str:
        return f"sealed:{account_id}:{plaintext}"

    def decrypt(self, token: str | None, account_id: int) -> str | None:
        if token is None:
            return None
        prefix = f"sealed:{account_id}:"
        if not token.startswith(prefix):
            raise ValueError("sealed for another account")
        return token.removeprefix(prefix)


class FakeCodes:
    """A code is six digits naming its own time step ("000042" is step 42's code), so that a
    test chooses the step; a recovery code is three groups of four."""

    def __init__(self) -> None:
        self.secrets_made = 0

    def new_secret(self) -> str:
        self.secrets_made += 1
        return f"SECRET{self.secrets_made}"

    def provisioning_uri(self, secret: str, username: str) -> str:
        return f"otpauth://totp/{username}?secret={secret}"

    def matching_step(self, secret: str, code: str) -> int | None:
        return int(code) if re.fullmatch(r"[0-9]{6}", code) else None

    def new_recovery_codes(self) -> list[str]:
        return [f"code-{n:04d}-abcd" for n in range(1, 9)]

    def recovery_code_hash(self, code: str) -> str | None:
        return "h:" + code if re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){2}", code) else None


@dataclasses.dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after_seconds: int = 0


class FakeLimits:
    """Counts what the real limits count; `limited_clients` and `limited_accounts` are over
    their limit."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self.failures: list[str] = []
        self.limited_clients: set[str] = set()
        self.limited_accounts: set[str] = set()

    def sign_in_attempt(self, client: str) -> Allowance:
        self.attempts.append(client)
        if client in self.limited_clients:
            return Allowance(False, 42)
        return Allowance(True)

    def sign_in_failure(self, username: str) -> None:
        self.failures.append(username.casefold())

    def account_is_limited(self, username: str) -> bool:
        return username.casefold() in self.limited_accounts

    def client_key(self, client: str) -> str:
        return "key:" + client
