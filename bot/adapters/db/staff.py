"""Staff accounts and sessions (tables `staff_users`, `staff_sessions`): the only code that
touches them. The rules that use them (lockout, expiry) are in bot.services.staff_auth.

The caller owns the transaction. Session ids are stored as the SHA-256 of the random value the
cookie carries, so the table cannot be turned back into working cookies.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.adapters.db.models import StaffRecoveryCode, StaffSession, StaffSignInLock, StaffUser
from bot.domain.staff import NewSession, Role, SessionRecord, StaffAccount

# Lower-case letters, digits and . _ @ - : a council's usual account names and email addresses.
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")


class StaffRuleError(ValueError):
    pass


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

    def is_locked_for(self, user_id: int, client_key: str, now: datetime) -> bool:
        lock = self._session.get(StaffSignInLock, (user_id, client_key))
        return lock is not None and lock.locked_until is not None and lock.locked_until > now

    def record_failure(
        self, user_id: int, client_key: str, now: datetime, lock_after: int, lock_until: datetime
    ) -> bool:
        """Counts a wrong password from this client for this account; locks the pair once
        `lock_after` are reached. True when this attempt locked it."""
        lock = self._session.get(StaffSignInLock, (user_id, client_key), with_for_update=True)
        if lock is None:
            lock = StaffSignInLock(
                user_id=user_id, client_key=client_key, failed_attempts=0, locked_until=None
            )
            self._session.add(lock)
        elif lock.locked_until is not None and lock.locked_until <= now:
            # An earlier lock has run out: counting starts again.
            lock.failed_attempts = 0
            lock.locked_until = None
        lock.failed_attempts += 1
        locked = lock.failed_attempts >= lock_after
        if locked:
            lock.locked_until = lock_until
            lock.failed_attempts = 0
        self._session.flush()
        return locked

    def record_success(self, user_id: int, client_key: str) -> None:
        self._session.execute(
            delete(StaffSignInLock)
            .where(StaffSignInLock.user_id == user_id, StaffSignInLock.client_key == client_key)
            .execution_options(synchronize_session=False)
        )

    def locked_clients(self, user_id: int, now: datetime) -> int:
        """How many clients are locked out of this account now."""
        locks = self._session.scalars(
            select(StaffSignInLock).where(StaffSignInLock.user_id == user_id)
        )
        return sum(1 for lock in locks if lock.locked_until and lock.locked_until > now)

    def set_password(self, user_id: int, password_hash: str, now: datetime) -> None:
        self._session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id)
            .values(password_hash=password_hash, password_changed_at=now)
        )

    # --- the second factor ---------------------------------------------------------------

    def set_totp_secret(self, user_id: int, encrypted_secret: str | None) -> None:
        """A new, unconfirmed secret (or none); the recovery codes go with the old one."""
        self._session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id)
            .values(totp_secret=encrypted_secret, totp_confirmed_at=None, totp_last_step=None)
        )
        self._session.execute(
            delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user_id)
        )

    def confirm_totp(self, user_id: int, now: datetime, step: int) -> None:
        self._session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id)
            .values(totp_confirmed_at=now, totp_last_step=step)
        )

    def use_totp_step(self, user_id: int, step: int) -> bool:
        """Records a code's time step as used; False when it (or a later one) already was, so
        that a code is taken once (one statement: two requests cannot both take it)."""
        result = self._session.execute(
            update(StaffUser)
            .where(
                StaffUser.id == user_id,
                (StaffUser.totp_last_step.is_(None)) | (StaffUser.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def set_recovery_codes(self, user_id: int, code_hashes: list[str]) -> None:
        self._session.execute(
            delete(StaffRecoveryCode).where(StaffRecoveryCode.user_id == user_id)
        )
        self._session.add_all(
            StaffRecoveryCode(user_id=user_id, code_hash=h, used_at=None) for h in code_hashes
        )
        self._session.flush()

    def unused_recovery_codes(self, user_id: int) -> list[tuple[int, str]]:
        rows = self._session.scalars(
            select(StaffRecoveryCode).where(
                StaffRecoveryCode.user_id == user_id, StaffRecoveryCode.used_at.is_(None)
            )
        )
        return [(row.id, row.code_hash) for row in rows]

    def use_recovery_code(self, code_id: int, now: datetime) -> bool:
        result = self._session.execute(
            update(StaffRecoveryCode)
            .where(StaffRecoveryCode.id == code_id, StaffRecoveryCode.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

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
        self._session.execute(delete(StaffSignInLock).where(StaffSignInLock.user_id == user.id))
        self._session.flush()

    def reset_second_factor(self, username: str) -> None:
        """The holder enrols a new authenticator at their next sign-in (a lost phone)."""
        user = self._require(username)
        self.set_totp_secret(user.id, None)
        self._end_sessions_of(user.id)

    def end_sessions_of(self, user_id: int) -> None:
        """Signs the account out everywhere (an administrator reset its password)."""
        self._end_sessions_of(user_id)

    def clear_locks(self, user_id: int) -> None:
        """Lifts the account's sign-in locks, from every client."""
        self._session.execute(delete(StaffSignInLock).where(StaffSignInLock.user_id == user_id))

    def remove(self, username: str) -> None:
        user = self._require(username)
        self._end_sessions_of(user.id)
        self._session.delete(user)
        self._session.flush()

    # --- sessions ------------------------------------------------------------------------

    def create_session(
        self, user_id: int, now: datetime, *, second_factor: bool = True
    ) -> NewSession:
        token = secrets.token_urlsafe(32)
        csrf_token = secrets.token_urlsafe(32)
        row = StaffSession(
            id=session_id(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            csrf_token=csrf_token,
            second_factor=second_factor,
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

    def end_other_sessions(self, user_id: int, keep_record_id: str) -> None:
        self._session.execute(
            delete(StaffSession)
            .where(StaffSession.user_id == user_id, StaffSession.id != keep_record_id)
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
        totp_secret=user.totp_secret,
        totp_confirmed=user.totp_confirmed_at is not None,
        totp_last_step=user.totp_last_step,
    )


def _session_record(row: StaffSession, user: StaffUser) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        account=_account(user),
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        csrf_token=row.csrf_token,
        second_factor=bool(row.second_factor),
    )
