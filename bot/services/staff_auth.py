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

The use cases below run these in one unit of work each, with its audit event, for the sign-in
page and the JSON API alike (api/routes/irt/sessions.py, account.py): `sign_in` (the limits,
the password, the second factor, a new session), `sign_out`, `resume_session`, enrolling the
second factor (`enrolment`, `enrol`), `reauthenticate` (before an erasure) and
`change_password`. They reach storage through `StaffUnitOfWork` and everything else through the
ports in bot.services.ports, handed over as one `SignInTools`.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.domain.audit import UNKNOWN_ACTOR, AuditAction
from bot.domain.clock import Clock
from bot.domain.staff import (
    NewSession,
    PasswordPolicyError,
    Role,
    StaffAccount,
    check_password_policy,
)
from bot.services.ports import OneTimeCodes, PasswordHasher, SecretBox, SignInLimits, Slots
from bot.services.unit_of_work import StaffRecords, StaffUnitOfWork

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

    def __init__(self, staff: StaffRecords, passwords: PasswordHasher, clock: Clock) -> None:
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


class SecondFactor:
    """The TOTP secret of an account (encrypted with the record keys) and its recovery codes.
    The caller commits."""

    def __init__(self, staff: StaffRecords, cipher: SecretBox, codes: OneTimeCodes) -> None:
        self._staff = staff
        self._cipher = cipher
        self._codes = codes

    def secret_of(self, account: StaffAccount) -> str | None:
        return self._cipher.decrypt(account.totp_secret, account.id)

    def new_secret(self, account: StaffAccount) -> str:
        """A new, unconfirmed secret for the account (its old one and codes stop working)."""
        secret = self._codes.new_secret()
        self._staff.set_totp_secret(account.id, self._cipher.encrypt(secret, account.id))
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
        step = self._codes.matching_step(secret, code)
        if step is not None:
            if not account.totp_confirmed:
                self._staff.confirm_totp(account.id, now, step)
                return True
            return self._staff.use_totp_step(account.id, step)
        if not account.totp_confirmed:
            return False
        return self._use_recovery_code(account, code, now)

    def _use_recovery_code(self, account: StaffAccount, code: str, now: datetime) -> bool:
        given = self._codes.recovery_code_hash(code)
        if given is None:
            return False
        for code_id, code_hash in self._staff.unused_recovery_codes(account.id):
            if secrets.compare_digest(given, code_hash):
                return self._staff.use_recovery_code(code_id, now)
        return False

    def new_recovery_codes(self, account: StaffAccount) -> list[str]:
        codes = self._codes.new_recovery_codes()
        hashes = [self._codes.recovery_code_hash(c) for c in codes]
        self._staff.set_recovery_codes(account.id, [h for h in hashes if h is not None])
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
        self, staff: StaffRecords, clock: Clock, idle_timeout: timedelta = IDLE_TIMEOUT
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

# Only the sign-in page can enrol a second factor: the JSON API's login always needs a code.
VIA_API = "api"


@dataclass(frozen=True)
class SignInTools:
    """The ports the use cases need besides storage, built by the composition root."""

    passwords: PasswordHasher
    cipher: SecretBox  # keeps each account's TOTP secret, sealed to that account
    codes: OneTimeCodes
    clock: Clock
    limits: SignInLimits
    slots: Slots  # how many password checks may run at once
    idle_timeout: timedelta = IDLE_TIMEOUT  # the settings' (never more than IDLE_TIMEOUT)


class SignInLimited(Exception):
    """Refused before any password was checked: too many attempts from the client or at the
    account, or (`busy`) too many password checks at once. Try again after `retry_after`
    seconds."""

    def __init__(self, retry_after: int, *, busy: bool = False) -> None:
        super().__init__("sign-in limited")
        self.retry_after = retry_after
        self.busy = busy


@dataclass(frozen=True)
class SignedIn:
    member: StaffMember
    token: str  # the session cookie's value
    csrf_token: str
    # False: the session may only enrol the second factor (the account has none yet).
    second_factor: bool = True


def sign_in(
    uow: StaffUnitOfWork,
    tools: SignInTools,
    username: str,
    password: str,
    otp: str,
    *,
    client: str,
    via: str,
    old_token: str | None = None,
) -> SignedIn | None:
    """Checks the credentials and the second factor and starts a session (ending
    `old_token`'s: a new id at every sign-in, no session fixation); None when refused. One
    audit event either way, committed with the failure count that the lock keeps. Before any
    password is checked: the client's throttle, the account's, and a free slot among the few
    Argon2 verifications allowed at once (SignInLimited otherwise). `client` is the client's
    address (only its keyed hash is stored)."""
    verdict = tools.limits.sign_in_attempt(client)
    if not verdict.allowed:
        raise SignInLimited(verdict.retry_after_seconds)
    if tools.limits.account_is_limited(username):
        raise SignInLimited(60)
    with _password_check_slot(tools) as free:
        if not free:
            raise SignInLimited(5, busy=True)
        client_key = tools.limits.client_key(client)
        with uow:
            authenticator = PasswordAuthenticator(uow.staff, tools.passwords, tools.clock)
            outcome = authenticator.authenticate(username, password, client_key)
            second_factor = True
            if outcome.account is not None:
                factor = SecondFactor(uow.staff, tools.cipher, tools.codes)
                if otp and factor.check(outcome.account, otp, tools.clock.now()):
                    pass
                elif outcome.account.totp_confirmed or via == VIA_API:
                    # A wrong or missing code counts as a wrong password does.
                    locked = authenticator.record_failure(outcome.account, client_key)
                    outcome = SignInOutcome(None, outcome.username, Refusal.WRONG_CODE, locked)
                else:
                    second_factor = False  # the form's first sign-in: enrol before anything
            if outcome.member is None:
                assert outcome.refusal is not None
                if outcome.username is not None:
                    tools.limits.sign_in_failure(outcome.username)
                uow.contacts.add_audit(
                    outcome.username or UNKNOWN_ACTOR,
                    AuditAction.SIGN_IN_FAILED,
                    detail={
                        "via": via,
                        "reason": outcome.refusal.value,
                        "locked": outcome.locked_now,
                    },
                )
                uow.commit()
                return None
            assert outcome.account is not None
            authenticator.record_success(outcome.account, client_key)
            sessions = StaffSessions(uow.staff, tools.clock, tools.idle_timeout)
            if old_token:
                sessions.end(old_token)
            new = sessions.start(outcome.member, second_factor=second_factor)
            uow.contacts.add_audit(
                outcome.member.username,
                AuditAction.SIGN_IN,
                detail={"via": via, "second_factor": second_factor},
            )
            uow.commit()
    return SignedIn(outcome.member, new.token, new.csrf_token, second_factor)


@contextmanager
def _password_check_slot(tools: SignInTools) -> Iterator[bool]:
    """One of the few Argon2 checks allowed at once, if one is free (True), given back after."""
    free = tools.slots.acquire(blocking=False)
    try:
        yield free
    finally:
        if free:
            tools.slots.release()


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


def idle_seconds_left(active: ActiveSession, now: datetime, idle_timeout: timedelta) -> int:
    """Seconds until the session ends unless a request counts as activity, rounded up: 0 only
    once it has ended, so that the page never leaves a live one."""
    left = min(
        idle_timeout - (now - active.last_seen_at), ABSOLUTE_TIMEOUT - (now - active.created_at)
    )
    return max(0, math.ceil(left.total_seconds()))


# --- the second factor and the password ------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """The secret to type into an authenticator app, and its otpauth:// URI."""

    secret: str
    uri: str


@dataclass(frozen=True)
class Enrolled:
    recovery_codes: list[str]  # shown once
    token: str  # the new session's cookie value: past the second factor


def _account(uow: StaffUnitOfWork, member: StaffMember) -> StaffAccount:
    account = uow.staff.find(member.username)
    assert account is not None  # a session ends with its account
    return account


def enrolment(uow: StaffUnitOfWork, tools: SignInTools, member: StaffMember) -> Enrolment:
    """The unconfirmed secret of an account enrolling its second factor (a new one when the
    account command printed none)."""
    with uow:
        account = _account(uow, member)
        secret = SecondFactor(uow.staff, tools.cipher, tools.codes).pending_secret(account)
        uow.commit()
    return Enrolment(secret, tools.codes.provisioning_uri(secret, member.username))


def enrol(
    uow: StaffUnitOfWork,
    tools: SignInTools,
    member: StaffMember,
    code: str,
    *,
    old_token: str | None,
) -> Enrolled | None:
    """Confirms the secret with a code from it: new recovery codes, and the session replaced by
    one past the second factor, audited. None when the code is not right."""
    with uow:
        account = _account(uow, member)
        factor = SecondFactor(uow.staff, tools.cipher, tools.codes)
        if account.totp_confirmed or not factor.check(account, code, tools.clock.now()):
            return None
        recovery_codes = factor.new_recovery_codes(account)
        sessions = StaffSessions(uow.staff, tools.clock, tools.idle_timeout)
        if old_token:
            sessions.end(old_token)
        new = sessions.start(member)
        uow.contacts.add_audit(member.username, AuditAction.SECOND_FACTOR_ENROLLED, detail={})
        uow.commit()
    return Enrolled(recovery_codes, new.token)


def reauthenticate(
    uow: StaffUnitOfWork, tools: SignInTools, member: StaffMember, password: str, code: str
) -> bool:
    """The signed-in member's password and a fresh code again, before something that cannot
    be undone (an erasure) or that changes how they sign in. A failure is audited and counts
    towards the account's sign-in limit (PCL_RATE_LIMIT_SIGN_IN_ACCOUNT); False too when every
    password-checking slot is busy."""
    with _password_check_slot(tools) as free:
        if not free:
            return False
        with uow:
            account = uow.staff.find(member.username)
            if account is None:
                return False
            matches, _ = tools.passwords.verify(password, account.password_hash)
            factor = SecondFactor(uow.staff, tools.cipher, tools.codes)
            ok = matches and factor.check(account, code, tools.clock.now())
            if not ok:
                tools.limits.sign_in_failure(account.username)
                uow.contacts.add_audit(
                    member.username, AuditAction.REAUTHENTICATION_FAILED, detail={}
                )
            uow.commit()
            return ok


@dataclass(frozen=True)
class PasswordNotChanged:
    """Why: the new password breaks the policy (`weak`, the policy's words), the two copies
    differ (`mismatch`), or the current password or the code was not right (`refused`)."""

    weak: str | None = None
    mismatch: bool = False
    refused: bool = False


def change_password(
    uow: StaffUnitOfWork,
    tools: SignInTools,
    active: ActiveSession,
    *,
    current_password: str,
    code: str,
    new_password: str,
    confirm_password: str,
) -> PasswordNotChanged | None:
    """Sets a new password once the current one and a code are right (`reauthenticate`, its
    own transaction, so that its failure is kept), and ends the account's other sessions;
    audited. None when changed."""
    weak = None
    try:
        check_password_policy(new_password)
    except PasswordPolicyError as error:
        weak = str(error)
    mismatch = new_password != confirm_password
    if weak is not None or mismatch:
        return PasswordNotChanged(weak=weak, mismatch=mismatch)
    if not reauthenticate(uow, tools, active.member, current_password, code):
        return PasswordNotChanged(refused=True)
    with uow:
        user_id = active.member.user_id
        uow.staff.set_password(user_id, tools.passwords.hash(new_password), tools.clock.now())
        uow.staff.end_other_sessions(user_id, active.session_id)
        uow.contacts.add_audit(active.member.username, AuditAction.PASSWORD_CHANGED, detail={})
        uow.commit()
    return None
