"""Who may use the IRT review pages, and for how long (SPEC §6).

Two parts, kept apart so that a council's OIDC can replace the first and keep the second:

- an `Authenticator` proves who someone is and gives back a `StaffMember`. `PasswordAuthenticator`
  does it with a username and an Argon2 password (rehashed on sign-in when the parameters have
  moved on), the same work and the same answer whatever was wrong, and a 15-minute lock after 10
  wrong passwords from one client (a keyed hash of its address): the lock is kept per account
  and client, so a stranger's guesses lock out the stranger, never the account's holder
  signing in from elsewhere. `SecondFactor` then checks the TOTP code (or a recovery code) of
  an account that has one. An OIDC authenticator would map the ID token's subject to an account the
  same way and return the same `StaffMember`.
- `StaffSessions` starts, resumes and ends sessions for a `StaffMember`, whoever proved it:
  30 minutes idle or 8 hours in all, checked on the server at every request.

The use cases `sign_in`, `sign_out` and `resume_session` run these in one unit of work each,
with the audit event of signing in (or failing to) and out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from bot.adapters import totp
from bot.adapters.crypto import FieldCipher, Place
from bot.adapters.db.staff import NewSession, Role, StaffAccount, StaffRepository
from bot.adapters.passwords import Passwords
from bot.adapters.sealed_fields import place
from bot.domain.audit import UNKNOWN_ACTOR, AuditAction
from bot.domain.clock import Clock
from bot.services.unit_of_work import ContactRecords

LOCK_AFTER_FAILURES = 10
LOCK_DURATION = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=8)
# The one answer to a failed sign-in, whatever went wrong: no account, a wrong password, a
# locked or disabled account. Anything more specific would tell an attacker which accounts exist.
SIGN_IN_REFUSED = (
    "The username or password is not right, or the account cannot be used at the moment. "
    "Check them and try again."
)


@dataclass(frozen=True)
class StaffMember:
    """Someone proved to be the holder of an account."""

    user_id: int
    username: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class Refusal(StrEnum):
    """Why a sign-in failed: for the audit trail only, never for the person signing in."""

    UNKNOWN_USER = "unknown_user"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason's name, not a password
    LOCKED = "locked"
    DISABLED = "disabled"
    WRONG_CODE = "wrong_code"


@dataclass(frozen=True)
class SignInOutcome:
    member: StaffMember | None
    # The account name to audit: None when no account has that name ("unknown" in the trail).
    username: str | None
    refusal: Refusal | None = None
    locked_now: bool = False
    account: StaffAccount | None = None

    @property
    def succeeded(self) -> bool:
        return self.member is not None


class Authenticator(Protocol):
    def authenticate(self, username: str, password: str, client_key: str) -> SignInOutcome: ...


def member_of(account: StaffAccount) -> StaffMember:
    return StaffMember(account.id, account.username, account.role)


class PasswordAuthenticator:
    """Username and password against `staff_users`. The caller commits (failures too: they are
    what the lock counts)."""

    def __init__(self, staff: StaffRepository, passwords: Passwords, clock: Clock) -> None:
        self._staff = staff
        self._passwords = passwords
        self._clock = clock

    def authenticate(self, username: str, password: str, client_key: str = "-") -> SignInOutcome:
        """`client_key` is the keyed hash of the client's address the lock is kept under."""
        now = self._clock.now()
        account = self._staff.find(username)
        if account is None:
            self._passwords.verify_nothing(password)
            return SignInOutcome(None, None, Refusal.UNKNOWN_USER)
        # The password is checked whatever the account's state, so that a locked or disabled
        # account takes as long to refuse as a wrong password.
        matches, new_hash = self._passwords.verify(password, account.password_hash)
        if account.disabled_at is not None:
            return SignInOutcome(None, account.username, Refusal.DISABLED)
        if self._staff.is_locked_for(account.id, client_key, now):
            return SignInOutcome(None, account.username, Refusal.LOCKED)
        if not matches:
            locked = self.record_failure(account, client_key)
            return SignInOutcome(None, account.username, Refusal.WRONG_PASSWORD, locked)
        if new_hash is not None:
            self._staff.set_password_hash(account.id, new_hash)
        return SignInOutcome(member_of(account), account.username, account=account)

    def record_failure(self, account: StaffAccount, client_key: str) -> bool:
        """Counts a wrong password (or code) from this client; True when it locked the pair."""
        now = self._clock.now()
        return self._staff.record_failure(
            account.id, client_key, now, LOCK_AFTER_FAILURES, now + LOCK_DURATION
        )

    def record_success(self, account: StaffAccount, client_key: str) -> None:
        self._staff.record_success(account.id, client_key)


def totp_place(user_id: int) -> Place:
    """Where an account's TOTP secret is stored (its token is bound to it)."""
    return place("staff_users", "totp_secret", user_id)


class SecondFactor:
    """The TOTP secret of an account (encrypted with the record keys) and its recovery codes.
    The caller commits."""

    def __init__(self, staff: StaffRepository, cipher: FieldCipher) -> None:
        self._staff = staff
        self._cipher = cipher

    def secret_of(self, account: StaffAccount) -> str | None:
        return self._cipher.decrypt(account.totp_secret, totp_place(account.id))

    def new_secret(self, account: StaffAccount) -> str:
        """A new, unconfirmed secret for the account (its old one and codes stop working)."""
        secret = totp.new_secret()
        self._staff.set_totp_secret(
            account.id, self._cipher.encrypt(secret, totp_place(account.id))
        )
        return secret

    def pending_secret(self, account: StaffAccount) -> str:
        """The unconfirmed secret to enrol: the one the account command printed, or a new one."""
        if account.totp_confirmed:
            raise ValueError("the second factor is already enrolled")
        return self.secret_of(account) or self.new_secret(account)

    def check(self, account: StaffAccount, code: str, now: datetime) -> bool:
        """A TOTP code of the account's secret not used before (which confirms an unconfirmed
        secret), or one of its unused recovery codes (used up)."""
        secret = self.secret_of(account)
        if secret is None:
            return False
        step = totp.matching_step(secret, code)
        if step is not None:
            if not account.totp_confirmed:
                self._staff.confirm_totp(account.id, now, step)
                return True
            return self._staff.use_totp_step(account.id, step)
        if not account.totp_confirmed:
            return False
        return self._use_recovery_code(account, code, now)

    def _use_recovery_code(self, account: StaffAccount, code: str, now: datetime) -> bool:
        if len(totp.normalise_recovery_code(code)) != 14:  # three groups of four, two dashes
            return False
        given = totp.hash_recovery_code(code)
        for code_id, code_hash in self._staff.unused_recovery_codes(account.id):
            if secrets.compare_digest(given, code_hash):
                return self._staff.use_recovery_code(code_id, now)
        return False

    def new_recovery_codes(self, account: StaffAccount) -> list[str]:
        codes = totp.new_recovery_codes()
        self._staff.set_recovery_codes(account.id, [totp.hash_recovery_code(c) for c in codes])
        return codes


@dataclass(frozen=True)
class ActiveSession:
    member: StaffMember
    session_id: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    # False while the session may only enrol the second factor.
    second_factor: bool = True


class StaffSessions:
    def __init__(
        self, staff: StaffRepository, clock: Clock, idle_timeout: timedelta = IDLE_TIMEOUT
    ) -> None:
        """`idle_timeout` is the settings' (never more than IDLE_TIMEOUT; shorter in tests)."""
        self._staff = staff
        self._clock = clock
        self._idle_timeout = min(idle_timeout, IDLE_TIMEOUT)

    def start(self, member: StaffMember, *, second_factor: bool = True) -> NewSession:
        now = self._clock.now()
        # Sweep the expired sessions of everyone now and then: at each sign-in is often enough.
        self._staff.end_expired_sessions(now - ABSOLUTE_TIMEOUT, now - self._idle_timeout)
        return self._staff.create_session(member.user_id, now, second_factor=second_factor)

    def resume(self, token: str, *, touch: bool = True) -> ActiveSession | None:
        """The session of a cookie's value if it is still valid, else None (and it is ended).
        `touch` counts the request as activity; a page's background polling does not."""
        record = self._staff.session(token)
        if record is None:
            return None
        now = self._clock.now()
        account = record.account
        expired = (
            now - record.created_at >= ABSOLUTE_TIMEOUT
            or now - record.last_seen_at >= self._idle_timeout
        )
        if expired or account.disabled_at is not None:
            self._staff.end_session_by_id(record.id)
            return None
        if touch:
            self._staff.touch_session(record.id, now)
        return ActiveSession(
            member=member_of(account),
            session_id=record.id,
            csrf_token=record.csrf_token,
            created_at=record.created_at,
            last_seen_at=now if touch else record.last_seen_at,
            second_factor=record.second_factor,
        )

    def end(self, token: str) -> None:
        self._staff.end_session(token)


# --- the use cases ---------------------------------------------------------------------------


class StaffUnitOfWork(Protocol):
    """A unit of work with the staff accounts and sessions (and the audit trail)."""

    staff: StaffRepository
    contacts: ContactRecords

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


@dataclass(frozen=True)
class SignedIn:
    member: StaffMember
    token: str  # the session cookie's value
    csrf_token: str


def sign_in(
    uow: StaffUnitOfWork,
    passwords: Passwords,
    clock: Clock,
    username: str,
    password: str,
    *,
    via: str,
    old_token: str | None = None,
    idle_timeout: timedelta = IDLE_TIMEOUT,
) -> SignedIn | None:
    """Checks the credentials and starts a session (ending `old_token`'s: a new id at every
    sign-in, no session fixation); None when refused. One audit event either way, committed
    with the failure count that the lock keeps."""
    with uow:
        outcome = PasswordAuthenticator(uow.staff, passwords, clock).authenticate(
            username, password
        )
        if outcome.member is None:
            assert outcome.refusal is not None
            uow.contacts.add_audit(
                outcome.username or UNKNOWN_ACTOR,
                AuditAction.SIGN_IN_FAILED,
                detail={"via": via, "reason": outcome.refusal.value, "locked": outcome.locked_now},
            )
            uow.commit()
            return None
        sessions = StaffSessions(uow.staff, clock, idle_timeout)
        if old_token:
            sessions.end(old_token)
        new = sessions.start(outcome.member)
        uow.contacts.add_audit(outcome.member.username, AuditAction.SIGN_IN, detail={"via": via})
        uow.commit()
    return SignedIn(outcome.member, new.token, new.csrf_token)


def sign_out(
    uow: StaffUnitOfWork, clock: Clock, token: str | None, member: StaffMember, *, via: str
) -> None:
    """Ends the session (when there is one) with its audit event."""
    with uow:
        if token:
            StaffSessions(uow.staff, clock).end(token)
        uow.contacts.add_audit(member.username, AuditAction.SIGN_OUT, detail={"via": via})
        uow.commit()


def staff_accounts(uow: StaffUnitOfWork) -> list[StaffAccount]:
    """Every staff account, for the administrators' page (names, roles, states; no secrets
    beyond the password hash, which the page does not show)."""
    with uow:
        return uow.staff.accounts()


def resume_session(
    uow: StaffUnitOfWork,
    clock: Clock,
    token: str,
    *,
    touch: bool = True,
    idle_timeout: timedelta = IDLE_TIMEOUT,
) -> ActiveSession | None:
    """The session of a cookie's value while it is valid (not audited: every request does it)."""
    with uow:
        active = StaffSessions(uow.staff, clock, idle_timeout).resume(token, touch=touch)
        uow.commit()
    return active
