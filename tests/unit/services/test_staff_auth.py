"""The sign-in use cases on a unit of work in memory (tests/unit/services/staff_fakes.py): the
limits before any password is checked, the password and the second factor, the lock per
account and client, enrolment, re-authentication and the password change, each with its audit
event in its own transaction. The same over the real pages and database:
tests/integration/test_irt_sign_in.py, test_second_factor.py, test_hostile_callers.py."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bot.domain.staff import Role
from bot.services import staff_auth
from bot.services.staff_auth import (
    IDLE_TIMEOUT,
    LOCK_AFTER_FAILURES,
    LOCK_DURATION,
    SignInLimited,
    SignInTools,
)
from tests.unit.services.staff_fakes import (
    FakeCipher,
    FakeCodes,
    FakeLimits,
    FakePasswords,
    FakeStaffUnitOfWork,
    MovingClock,
)

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a new and longer passphrase"
HERE = "192.0.2.1"
ELSEWHERE = "198.51.100.7"


class World:
    def __init__(self) -> None:
        self.uow = FakeStaffUnitOfWork()
        self.clock = MovingClock()
        self.passwords = FakePasswords()
        self.limits = FakeLimits()
        self.slots = threading.BoundedSemaphore(2)
        self.tools = SignInTools(
            passwords=self.passwords,
            cipher=FakeCipher(),
            codes=FakeCodes(),
            clock=self.clock,
            limits=self.limits,
            slots=self.slots,
        )
        self.step = 100

    def add(self, name: str = "jo", *, enrolled: bool = True, old_hash: bool = False) -> int:
        staff = self.uow.committed_staff
        user_id = staff.add(name, ("old$" if old_hash else "fake$") + PASSWORD)
        if enrolled:
            staff.set_totp_secret(user_id, self.tools.cipher.encrypt("SECRET", user_id))
            staff.confirm_totp(user_id, self.clock.now(), 1)
        return user_id

    def code(self) -> str:
        """A code of a step not used yet (as if 30 seconds had passed)."""
        self.step += 1
        return f"{self.step:06d}"

    def sign_in(
        self,
        password: str = PASSWORD,
        otp: str | None = None,
        *,
        name: str = "jo",
        client: str = HERE,
        via: str = "form",
        old_token: str | None = None,
    ) -> staff_auth.SignedIn | None:
        return staff_auth.sign_in(
            self.uow,
            self.tools,
            name,
            password,
            self.code() if otp is None else otp,
            client=client,
            via=via,
            old_token=old_token,
        )

    def active(self, token: str) -> staff_auth.ActiveSession:
        active = staff_auth.resume_session(self.uow, self.clock, token)
        assert active is not None
        return active


@pytest.fixture
def world() -> World:
    return World()


# --- signing in --------------------------------------------------------------------------------


def test_the_password_and_a_code_start_a_session_with_its_audit_event(world: World) -> None:
    world.add()
    signed_in = world.sign_in()
    assert signed_in is not None
    assert signed_in.member.username == "jo"
    assert signed_in.member.role is Role.IRT_MANAGER
    assert signed_in.second_factor
    assert world.active(signed_in.token).csrf_token == signed_in.csrf_token
    assert world.uow.audit == [("jo", "sign_in", {"via": "form", "second_factor": True})]
    assert world.limits.attempts == [HERE]
    assert world.limits.failures == []


@pytest.mark.parametrize(
    ("name", "password", "otp", "actor", "reason"),
    [
        ("nobody", PASSWORD, None, "unknown", "unknown_user"),
        ("jo", "not the password", None, "jo", "wrong_password"),
        ("jo", PASSWORD, "", "jo", "wrong_code"),
        ("jo", PASSWORD, "12345", "jo", "wrong_code"),
    ],
)
def test_every_refusal_is_the_same_answer_and_audited_with_its_reason(
    world: World, name: str, password: str, otp: str | None, actor: str, reason: str
) -> None:
    world.add()
    assert world.sign_in(password, otp, name=name) is None
    assert world.uow.audit == [
        (actor, "sign_in_failed", {"via": "form", "reason": reason, "locked": False})
    ]
    # Each took one password check (the unknown name on a dummy hash) and no session.
    assert world.passwords.verified == 1
    assert world.uow.committed_staff.sessions == {}
    # The account's own limit counts the failures of a real account, wherever they came from.
    assert world.limits.failures == ([] if actor == "unknown" else ["jo"])


def test_a_disabled_account_is_refused_after_the_same_work(world: World) -> None:
    user_id = world.add()
    world.uow.committed_staff._change(user_id, disabled_at=world.clock.now())
    assert world.sign_in() is None
    assert world.passwords.verified == 1
    assert world.uow.audit[-1][2] == {"via": "form", "reason": "disabled", "locked": False}


def test_ten_wrong_passwords_lock_that_client_out_and_not_the_holder(world: World) -> None:
    world.add()
    for _ in range(LOCK_AFTER_FAILURES):
        assert world.sign_in("not the password") is None
    assert world.uow.audit[-1][2] == {"via": "form", "reason": "wrong_password", "locked": True}
    assert world.sign_in() is None  # the right password, but this client is locked out
    assert world.uow.audit[-1][2] == {"via": "form", "reason": "locked", "locked": False}
    assert world.sign_in(client=ELSEWHERE) is not None  # the holder, elsewhere
    world.clock.advance(LOCK_DURATION)
    assert world.sign_in() is not None


def test_a_code_is_taken_once(world: World) -> None:
    world.add()
    code = world.code()
    assert world.sign_in(otp=code) is not None
    assert world.sign_in(otp=code) is None
    assert world.uow.audit[-1][2] == {"via": "form", "reason": "wrong_code", "locked": False}


def test_a_recovery_code_signs_in_once(world: World) -> None:
    user_id = world.add()
    world.uow.committed_staff.set_recovery_codes(user_id, ["h:k7q2-9xvm-3pdf"])
    assert world.sign_in(otp="k7q2-9xvm-3pdf") is not None
    assert world.sign_in(otp="k7q2-9xvm-3pdf") is None


def test_a_sign_in_ends_the_old_session_and_rehashes_an_old_password(world: World) -> None:
    world.add(old_hash=True)
    first = world.sign_in()
    assert first is not None
    assert world.uow.committed_staff.find("jo").password_hash == "fake$" + PASSWORD  # type: ignore[union-attr]
    second = world.sign_in(old_token=first.token)
    assert second is not None
    assert staff_auth.resume_session(world.uow, world.clock, first.token) is None
    assert world.active(second.token).member.username == "jo"


def test_without_a_second_factor_the_form_opens_only_enrolment_and_the_api_refuses(
    world: World,
) -> None:
    world.add(enrolled=False)
    assert world.sign_in(otp="", via="api") is None
    assert world.uow.audit[-1][2] == {"via": "api", "reason": "wrong_code", "locked": False}
    signed_in = world.sign_in(otp="")
    assert signed_in is not None
    assert not signed_in.second_factor
    assert not world.active(signed_in.token).second_factor
    assert world.uow.audit[-1] == ("jo", "sign_in", {"via": "form", "second_factor": False})


@pytest.mark.parametrize(
    ("limited", "retry_after", "busy"),
    [("client", 42, False), ("account", 60, False), ("slots", 5, True)],
)
def test_over_a_limit_no_password_is_checked(
    world: World, limited: str, retry_after: int, busy: bool
) -> None:
    world.add()
    if limited == "client":
        world.limits.limited_clients.add(HERE)
    elif limited == "account":
        world.limits.limited_accounts.add("jo")
    else:
        while world.slots.acquire(blocking=False):  # every slot busy elsewhere
            pass
    with pytest.raises(SignInLimited) as refused:
        world.sign_in()
    assert (refused.value.retry_after, refused.value.busy) == (retry_after, busy)
    assert world.passwords.verified == 0
    assert world.uow.audit == []


def test_a_slot_is_given_back_whatever_happens(world: World) -> None:
    world.add()
    for _ in range(5):  # more sign-ins than slots
        world.sign_in("not the password")
    world.sign_in()
    assert world.slots.acquire(blocking=False)
    assert world.slots.acquire(blocking=False)


# --- sessions ------------------------------------------------------------------------------------


def test_a_session_ends_after_the_idle_timeout_and_its_time_left_counts_down(
    world: World,
) -> None:
    world.add()
    signed_in = world.sign_in()
    assert signed_in is not None
    active = world.active(signed_in.token)
    assert staff_auth.idle_seconds_left(active, world.clock.now(), IDLE_TIMEOUT) == 1800
    world.clock.advance(timedelta(minutes=29, seconds=59, microseconds=1))
    assert staff_auth.idle_seconds_left(active, world.clock.now(), IDLE_TIMEOUT) == 1
    world.clock.advance(timedelta(seconds=1))
    assert staff_auth.idle_seconds_left(active, world.clock.now(), IDLE_TIMEOUT) == 0
    assert staff_auth.resume_session(world.uow, world.clock, signed_in.token) is None


def test_signing_out_ends_the_session_with_its_audit_event(world: World) -> None:
    world.add()
    signed_in = world.sign_in()
    assert signed_in is not None
    staff_auth.sign_out(world.uow, world.clock, signed_in.token, signed_in.member, via="api")
    assert staff_auth.resume_session(world.uow, world.clock, signed_in.token) is None
    assert world.uow.audit[-1] == ("jo", "sign_out", {"via": "api"})


# --- enrolling the second factor ---------------------------------------------------------------


def test_enrolment_confirms_the_secret_gives_codes_and_a_full_session(world: World) -> None:
    world.add(enrolled=False)
    signed_in = world.sign_in(otp="")
    assert signed_in is not None
    shown = staff_auth.enrolment(world.uow, world.tools, signed_in.member)
    assert shown.secret == "SECRET1"
    assert shown.uri == "otpauth://totp/jo?secret=SECRET1"
    # Shown again, the same secret: it is kept (sealed) until confirmed.
    assert staff_auth.enrolment(world.uow, world.tools, signed_in.member) == shown
    account = world.uow.committed_staff.find("jo")
    assert account is not None
    assert account.totp_secret == f"sealed:{account.id}:SECRET1"

    wrong = staff_auth.enrol(
        world.uow, world.tools, signed_in.member, "not a code", old_token=signed_in.token
    )
    assert wrong is None
    enrolled = staff_auth.enrol(
        world.uow, world.tools, signed_in.member, world.code(), old_token=signed_in.token
    )
    assert enrolled is not None
    assert len(enrolled.recovery_codes) == 8
    assert staff_auth.resume_session(world.uow, world.clock, signed_in.token) is None
    assert world.active(enrolled.token).second_factor
    assert world.uow.audit[-1] == ("jo", "second_factor_enrolled", {})
    # Enrolled once: a second confirmation changes nothing.
    member = signed_in.member
    assert staff_auth.enrol(world.uow, world.tools, member, world.code(), old_token=None) is None


# --- re-authentication and the password change -------------------------------------------------


def test_reauthentication_needs_the_password_and_a_fresh_code(world: World) -> None:
    world.add()
    signed_in = world.sign_in()
    assert signed_in is not None
    member = signed_in.member
    assert staff_auth.reauthenticate(world.uow, world.tools, member, PASSWORD, world.code())
    assert not staff_auth.reauthenticate(world.uow, world.tools, member, "wrong", world.code())
    assert world.uow.audit[-1] == ("jo", "reauthentication_failed", {})
    assert world.limits.failures == ["jo"]
    while world.slots.acquire(blocking=False):  # every slot busy: refused, unchecked
        pass
    checked = world.passwords.verified
    assert not staff_auth.reauthenticate(world.uow, world.tools, member, PASSWORD, world.code())
    assert world.passwords.verified == checked


def test_a_password_change_is_checked_then_ends_the_other_sessions(world: World) -> None:
    world.add()
    here, other = world.sign_in(), world.sign_in(client=ELSEWHERE)
    assert here is not None
    assert other is not None
    active = world.active(here.token)

    def change(new: str, confirm: str, current: str = PASSWORD) -> object:
        return staff_auth.change_password(
            world.uow,
            world.tools,
            active,
            current_password=current,
            code=world.code(),
            new_password=new,
            confirm_password=confirm,
        )

    refused = change("short", "other")
    assert refused == staff_auth.PasswordNotChanged(
        weak="the password must be at least 12 characters long", mismatch=True
    )
    assert change(NEW_PASSWORD, NEW_PASSWORD, "wrong") == staff_auth.PasswordNotChanged(
        refused=True
    )
    assert world.uow.committed_staff.find("jo").password_hash == "fake$" + PASSWORD  # type: ignore[union-attr]

    assert change(NEW_PASSWORD, NEW_PASSWORD) is None
    assert world.uow.committed_staff.find("jo").password_hash == "fake$" + NEW_PASSWORD  # type: ignore[union-attr]
    assert world.uow.audit[-1] == ("jo", "password_changed", {})
    assert world.active(here.token).member.username == "jo"
    assert staff_auth.resume_session(world.uow, world.clock, other.token) is None
