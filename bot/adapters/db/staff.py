"""Staff accounts and sessions (tables `staff_users`, `staff_sessions`): the only code that
touches them. The rules that use them (lockout, expiry) are in bot.services.staff_auth.

The caller owns the transaction. Session ids are stored as the SHA-256 of the random value the
cookie carries, so the table cannot be turned back into working cookies.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.adapters.db.models import StaffSession, StaffUser
from bot.domain.staff import Role

# Lower-case letters, digits and . _ @ - : a council's usual account names and email addresses.
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")


class StaffRuleError(ValueError):
    pass


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

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True)
class SessionRecord:
    id: str
    account: StaffAccount
    created_at: datetime
    last_seen_at: datetime
    csrf_token: str


@dataclass(frozen=True)
class NewSession:
    """What the client keeps: the cookie's value (never stored) and the CSRF token."""

    token: str
    csrf_token: str
    record: SessionRecord


def normalise_username(username: str) -> str:
    return username.strip().casefold()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.fullmatch(name):
        raise StaffRuleError(
            "a username is 2 to 64 characters: letters, digits and . _ @ - "
            "(starting with a letter or digit)"
        )
    return name


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- accounts ------------------------------------------------------------------------

    def add_user(
        self, username: str, role: Role | str, password_hash: str | None, now: datetime
    ) -> StaffAccount:
        name = check_username(username)
        if self._find(name) is not None:
            raise StaffRuleError(f"there is already an account called {name}")
        user = StaffUser(
            username=name,
            password_hash=password_hash,
            role=Role(role).value,
            failed_attempts=0,
            locked_until=None,
            created_at=now,
            disabled_at=None,
        )
        self._session.add(user)
        self._session.flush()
        return _account(user)

    def find(self, username: str) -> StaffAccount | None:
        user = self._find(normalise_username(username))
        return _account(user) if user is not None else None

    def accounts(self) -> list[StaffAccount]:
        users = self._session.scalars(select(StaffUser).order_by(StaffUser.username))
        return [_account(u) for u in users]

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._session.execute(
            update(StaffUser).where(StaffUser.id == user_id).values(password_hash=password_hash)
        )

    def record_failure(
        self, user_id: int, now: datetime, lock_after: int, lock_until: datetime
    ) -> bool:
        """Counts a wrong password, in one statement so that concurrent attempts all count;
        locks the account once `lock_after` are reached. True when this attempt locked it."""
        user = self._session.get(StaffUser, user_id)
        if user is None:
            return False
        if user.locked_until is not None and user.locked_until <= now:
            # An earlier lock has run out: counting starts again.
            self._session.execute(
                update(StaffUser)
                .where(StaffUser.id == user_id)
                .values(failed_attempts=0, locked_until=None)
            )
        count = self._session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id)
            .values(failed_attempts=StaffUser.failed_attempts + 1)
            .returning(StaffUser.failed_attempts)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        if count >= lock_after:
            self._session.execute(
                update(StaffUser)
                .where(StaffUser.id == user_id)
                .values(locked_until=lock_until, failed_attempts=0)
                .execution_options(synchronize_session=False)
            )
            self._session.expire(user)
            return True
        self._session.expire(user)
        return False

    def record_success(self, user_id: int) -> None:
        self._session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id)
            .values(failed_attempts=0, locked_until=None)
            .execution_options(synchronize_session=False)
        )

    def disable(self, username: str, now: datetime) -> None:
        user = self._require(username)
        user.disabled_at = user.disabled_at or now
        self._end_sessions_of(user.id)
        self._session.flush()

    def enable(self, username: str) -> None:
        user = self._require(username)
        user.disabled_at = None
        user.failed_attempts = 0
        user.locked_until = None
        self._session.flush()

    def remove(self, username: str) -> None:
        user = self._require(username)
        self._end_sessions_of(user.id)
        self._session.delete(user)
        self._session.flush()

    # --- sessions ------------------------------------------------------------------------

    def create_session(self, user_id: int, now: datetime) -> NewSession:
        token = secrets.token_urlsafe(32)
        csrf_token = secrets.token_urlsafe(32)
        row = StaffSession(
            id=session_id(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            csrf_token=csrf_token,
        )
        self._session.add(row)
        self._session.flush()
        user = self._session.get(StaffUser, user_id)
        assert user is not None
        return NewSession(token, csrf_token, _session_record(row, user))

    def session(self, token: str) -> SessionRecord | None:
        row = self._session.get(StaffSession, session_id(token))
        if row is None:
            return None
        user = self._session.get(StaffUser, row.user_id)
        if user is None:
            return None
        return _session_record(row, user)

    def touch_session(self, record_id: str, now: datetime) -> None:
        self._session.execute(
            update(StaffSession)
            .where(StaffSession.id == record_id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )

    def end_session(self, token: str) -> None:
        self.end_session_by_id(session_id(token))

    def end_session_by_id(self, record_id: str) -> None:
        self._session.execute(
            delete(StaffSession)
            .where(StaffSession.id == record_id)
            .execution_options(synchronize_session=False)
        )

    def end_expired_sessions(self, started_before: datetime, idle_since: datetime) -> int:
        """Removes sessions started before the first time or idle since the second; returns
        how many."""
        result = self._session.execute(
            delete(StaffSession)
            .where(
                (StaffSession.created_at < started_before)
                | (StaffSession.last_seen_at < idle_since)
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # --- helpers -------------------------------------------------------------------------

    def _find(self, name: str) -> StaffUser | None:
        return self._session.scalar(select(StaffUser).where(StaffUser.username == name))

    def _require(self, username: str) -> StaffUser:
        user = self._find(normalise_username(username))
        if user is None:
            raise StaffRuleError(f"there is no account called {normalise_username(username)}")
        return user

    def _end_sessions_of(self, user_id: int) -> None:
        self._session.execute(
            delete(StaffSession)
            .where(StaffSession.user_id == user_id)
            .execution_options(synchronize_session=False)
        )


def _account(user: StaffUser) -> StaffAccount:
    return StaffAccount(
        id=user.id,
        username=user.username,
        role=Role(user.role),
        created_at=user.created_at,
        failed_attempts=user.failed_attempts,
        locked_until=user.locked_until,
        disabled_at=user.disabled_at,
        password_hash=user.password_hash,
    )


def _session_record(row: StaffSession, user: StaffUser) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        account=_account(user),
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        csrf_token=row.csrf_token,
    )
