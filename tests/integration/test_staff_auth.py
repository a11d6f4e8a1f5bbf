"""The sign-in rules on SQLite and PostgreSQL, with the clock frozen by time-machine: the same
refusal whatever was wrong, a 15-minute lock after 10 wrong passwords from one client (the
account's holder elsewhere is not locked out), a rehash on sign-in,
sessions that end after 30 minutes idle or 8 hours in all, and session ids stored hashed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.models import StaffSession, StaffSignInLock, StaffUser
from bot.adapters.db.staff import Role, StaffRepository, StaffRuleError
from bot.adapters.passwords import Passwords
from bot.domain.clock import SystemClock
from bot.services.staff_auth import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    LOCK_AFTER_FAILURES,
    LOCK_DURATION,
    PasswordAuthenticator,
    Refusal,
    SignInOutcome,
    StaffSessions,
)

PASSWORD = "correct horse battery staple"
START = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
# Argon2id with small parameters, so that the many sign-ins here are quick; the rehash test
# uses the real parameters.
FAST = Passwords(PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),)))


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def add(
    sessions: sessionmaker[Session],
    username: str = "jo",
    password: str = PASSWORD,
    hasher: Passwords = FAST,
    role: Role = Role.IRT_MANAGER,
) -> None:
    with sessions.begin() as session:
        StaffRepository(session).add_user(username, role, hasher.hash(password), START)


def sign_in(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    passwords: Passwords = FAST,
    client: str = "here",
) -> SignInOutcome:
    """A sign-in from `client` (the keyed hash of an address), clearing its count on success
    as the sign-in routes do once the second factor is checked too."""
    with sessions.begin() as session:
        staff = StaffRepository(session)
        authenticator = PasswordAuthenticator(staff, passwords, SystemClock())
        outcome = authenticator.authenticate(username, password, client)
        if outcome.account is not None:
            authenticator.record_success(outcome.account, client)
        return outcome


def user(sessions: sessionmaker[Session], username: str = "jo") -> StaffUser:
    with sessions() as session:
        found = session.scalar(select(StaffUser).where(StaffUser.username == username))
        assert found is not None
        return found


def test_the_right_password_signs_in_and_names_the_role(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions, "Jo.Bloggs@derby.gov.uk", role=Role.ADMIN)
    outcome = sign_in(sessions, " jo.bloggs@DERBY.gov.uk ", PASSWORD)
    assert outcome.member is not None and outcome.refusal is None
    assert outcome.member.username == "jo.bloggs@derby.gov.uk" and outcome.member.is_admin


def test_every_failure_is_refused_and_only_the_audit_reason_differs(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    add(sessions, "gone")
    with sessions.begin() as session:
        StaffRepository(session).disable("gone", START)
    unknown = sign_in(sessions, "nobody", PASSWORD)
    wrong = sign_in(sessions, "jo", "not the password")
    disabled = sign_in(sessions, "gone", PASSWORD)
    assert (unknown.member, unknown.username, unknown.refusal) == (None, None, Refusal.UNKNOWN_USER)
    assert (wrong.member, wrong.username, wrong.refusal) == (None, "jo", Refusal.WRONG_PASSWORD)
    assert (disabled.member, disabled.refusal) == (None, Refusal.DISABLED)


def lock(sessions: sessionmaker[Session], client: str = "here") -> StaffSignInLock | None:
    with sessions() as session:
        return session.scalar(
            select(StaffSignInLock).where(StaffSignInLock.client_key == client)
        )


def test_ten_wrong_passwords_lock_the_account_for_15_minutes_from_that_client_only(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    for attempt in range(1, LOCK_AFTER_FAILURES + 1):
        outcome = sign_in(sessions, "jo", f"wrong password {attempt}")
        assert outcome.refusal is Refusal.WRONG_PASSWORD
        assert outcome.locked_now is (attempt == LOCK_AFTER_FAILURES)
    found = lock(sessions)
    assert found is not None and found.locked_until == START + LOCK_DURATION

    # Locked for that client: even the right password, and tries do not extend it...
    clock.shift(timedelta(minutes=14, seconds=59))
    assert sign_in(sessions, "jo", PASSWORD).refusal is Refusal.LOCKED
    assert sign_in(sessions, "jo", "wrong again").refusal is Refusal.LOCKED
    # ...while its holder, signing in from elsewhere, is let in at once.
    assert sign_in(sessions, "jo", PASSWORD, client="elsewhere").member is not None

    clock.shift(timedelta(seconds=1))
    assert sign_in(sessions, "jo", PASSWORD).member is not None
    assert lock(sessions) is None


def test_a_success_before_the_tenth_failure_starts_the_count_again(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    for _ in range(LOCK_AFTER_FAILURES - 1):
        sign_in(sessions, "jo", "wrong password")
    found = lock(sessions)
    assert found is not None and found.failed_attempts == LOCK_AFTER_FAILURES - 1
    assert sign_in(sessions, "jo", PASSWORD).member is not None
    assert sign_in(sessions, "jo", "wrong password").locked_now is False
    found = lock(sessions)
    assert found is not None and found.failed_attempts == 1


def test_after_a_lock_runs_out_the_count_starts_from_nothing(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    for _ in range(LOCK_AFTER_FAILURES):
        sign_in(sessions, "jo", "wrong password")
    clock.shift(LOCK_DURATION)
    assert sign_in(sessions, "jo", "wrong password").locked_now is False
    found = lock(sessions)
    assert found is not None and found.failed_attempts == 1 and found.locked_until is None


def test_a_weaker_hash_is_replaced_at_sign_in(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions, hasher=FAST)
    before = user(sessions).password_hash
    assert before and "m=1024,t=1,p=1" in before
    assert sign_in(sessions, "jo", PASSWORD, Passwords()).member is not None
    after = user(sessions).password_hash
    assert after and after != before and "m=65536,t=3,p=4" in after
    assert sign_in(sessions, "jo", PASSWORD, Passwords()).member is not None  # the new one works


def test_a_username_is_unique_and_well_formed(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    with pytest.raises(StaffRuleError, match="already"):
        add(sessions, " JO ")
    for bad in ("", "a", "has space", "x" * 65, "-dash-first"):
        with pytest.raises(StaffRuleError):
            add(sessions, bad)


# --- sessions -------------------------------------------------------------------------------


def start_session(sessions: sessionmaker[Session]) -> str:
    outcome = sign_in(sessions, "jo", PASSWORD)
    assert outcome.member is not None
    with sessions.begin() as session:
        return StaffSessions(StaffRepository(session), SystemClock()).start(outcome.member).token


def resume(sessions: sessionmaker[Session], token: str, touch: bool = True) -> bool:
    with sessions.begin() as session:
        found = StaffSessions(StaffRepository(session), SystemClock()).resume(token, touch=touch)
        return found is not None


def test_a_session_ends_after_30_idle_minutes(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    token = start_session(sessions)
    clock.shift(IDLE_TIMEOUT - timedelta(seconds=1))
    assert resume(sessions, token)  # and this use starts the idle time again
    clock.shift(IDLE_TIMEOUT - timedelta(seconds=1))
    assert resume(sessions, token)
    clock.shift(IDLE_TIMEOUT)
    assert not resume(sessions, token)
    clock.shift(-IDLE_TIMEOUT)
    assert not resume(sessions, token)  # an ended session is gone, not just refused


def test_a_session_ends_after_8_hours_however_busy(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    token = start_session(sessions)
    used_for = timedelta(0)
    while used_for + timedelta(minutes=20) < ABSOLUTE_TIMEOUT:
        clock.shift(timedelta(minutes=20))
        used_for += timedelta(minutes=20)
        assert resume(sessions, token), used_for
    clock.shift(ABSOLUTE_TIMEOUT - used_for)
    assert not resume(sessions, token)


def test_background_polling_does_not_keep_an_idle_session_alive(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    token = start_session(sessions)
    for _ in range(5):
        clock.shift(timedelta(minutes=5))
        assert resume(sessions, token, touch=False)
    clock.shift(timedelta(minutes=5))
    assert not resume(sessions, token, touch=False)


def test_disabling_an_account_ends_its_sessions(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    token = start_session(sessions)
    with sessions.begin() as session:
        StaffRepository(session).disable("jo", START)
    assert not resume(sessions, token)


def test_the_session_table_holds_a_hash_of_the_cookie_never_the_cookie(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    token = start_session(sessions)
    with sessions() as session:
        rows = list(session.scalars(select(StaffSession)))
    assert [row.id for row in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in {row.csrf_token for row in rows}
    assert not resume(sessions, rows[0].id)  # the stored id is not a cookie


def test_signing_in_sweeps_expired_sessions(
    sessions: sessionmaker[Session], clock: time_machine.Coordinates
) -> None:
    add(sessions)
    start_session(sessions)
    clock.shift(ABSOLUTE_TIMEOUT)
    start_session(sessions)
    with sessions() as session:
        assert len(list(session.scalars(select(StaffSession)))) == 1
