"""An administrator's use cases on the IRT managers' accounts, from the staff pages: add,
disable, re-enable, remove, and reset a password. Each runs in one unit of work with its one
audit event (`detail`: the account's name).

The pages manage IRT managers only: administrators' accounts stay with the command line
(`python -m api.users`, which also makes the first administrator), so no page can make or
unmake an administrator, and nobody changes their own account here. A new account or a reset
password signs in as one the command line made: the password, then at the first sign-in
(and after a reset of the second factor) the enrolment of an authenticator app
(bot.services.staff_auth.SecondFactor); after a reset of the password alone, the password and
the code of the app already enrolled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.audit import AuditAction
from bot.domain.staff import Role, check_password_policy
from bot.services.ports import PasswordHasher
from bot.services.staff_auth import StaffUnitOfWork

MANAGED_ROLE = Role.IRT_MANAGER


class AccountNotFoundError(LookupError):
    pass


class AccountRuleError(ValueError):
    """A change the accounts' rules refuse: a name taken or not allowed, one's own account,
    an administrator's."""


@dataclass(frozen=True)
class AccountDetails:
    """What an account's page shows (no password hash, no secret)."""

    username: str
    role: Role
    created_at: datetime
    disabled_at: datetime | None
    locked_until: datetime | None
    second_factor_set_up: bool

    @classmethod
    def of(cls, account: Any) -> AccountDetails:
        return cls(
            account.username,
            account.role,
            account.created_at,
            account.disabled_at,
            account.locked_until,
            account.totp_confirmed,
        )

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def managed_by(self, actor: str) -> bool:
        """Whether `actor` may change it from the pages: an IRT manager's, not their own."""
        return self.role is MANAGED_ROLE and self.username != actor


@contextmanager
def _rules() -> Iterator[None]:
    """The staff repository's refusals (a ValueError: a name taken or not allowed) as this
    module's."""
    try:
        yield
    except ValueError as error:
        raise AccountRuleError(str(error)) from None


def _managed(uow: StaffUnitOfWork, actor: str, username: str) -> Any:
    """The IRT manager's account `username`, which `actor` may change (AccountRuleError when
    it is the actor's own or an administrator's; AccountNotFoundError when there is none)."""
    account = uow.staff.find(username)
    if account is None:
        raise AccountNotFoundError(username)
    if account.username == actor:
        raise AccountRuleError("you cannot change your own account here")
    if account.role is not MANAGED_ROLE:
        raise AccountRuleError("administrators' accounts are managed on the server")
    return account


def _audit(uow: StaffUnitOfWork, actor: str, action: AuditAction, **detail: str | bool) -> None:
    uow.contacts.add_audit(actor, action, detail=dict(detail))


def find_account(uow: StaffUnitOfWork, username: str) -> AccountDetails:
    """One account, for its page (AccountNotFoundError when there is none)."""
    with uow:
        account = uow.staff.find(username)
    if account is None:
        raise AccountNotFoundError(username)
    return AccountDetails.of(account)


def add_account(
    uow: StaffUnitOfWork,
    passwords: PasswordHasher,
    actor: str,
    username: str,
    password: str,
    *,
    now: datetime,
) -> AccountDetails:
    """A new IRT manager's account with its first password (the policy's: PasswordPolicyError
    otherwise). Its holder enrols an authenticator app at the first sign-in. AccountRuleError
    for a name that is taken or not allowed."""
    check_password_policy(password)
    password_hash = passwords.hash(password)
    with uow, _rules():
        account = uow.staff.add_user(username, MANAGED_ROLE, password_hash, now)
        _audit(uow, actor, AuditAction.ADD_ACCOUNT, account=account.username)
        uow.commit()
    return AccountDetails.of(account)


def _change(
    uow: StaffUnitOfWork,
    actor: str,
    username: str,
    action: AuditAction,
    change: Callable[[Any], object],
) -> None:
    """One change to a managed account (`change` gets the repository's account) and its audit
    event, in one unit of work."""
    with uow:
        account = _managed(uow, actor, username)
        change(account)
        _audit(uow, actor, action, account=account.username)
        uow.commit()


def disable_account(uow: StaffUnitOfWork, actor: str, username: str, *, now: datetime) -> None:
    """Refuses the account's sign-ins and ends its sessions."""
    _change(
        uow,
        actor,
        username,
        AuditAction.DISABLE_ACCOUNT,
        lambda account: uow.staff.disable(account.username, now),
    )


def enable_account(uow: StaffUnitOfWork, actor: str, username: str) -> None:
    """Lets a disabled account sign in again (and clears its sign-in locks)."""
    _change(
        uow,
        actor,
        username,
        AuditAction.ENABLE_ACCOUNT,
        lambda account: uow.staff.enable(account.username),
    )


def remove_account(uow: StaffUnitOfWork, actor: str, username: str) -> None:
    """Deletes the account and ends its sessions; its audit events stay."""
    _change(
        uow,
        actor,
        username,
        AuditAction.REMOVE_ACCOUNT,
        lambda account: uow.staff.remove(account.username),
    )


def reset_password(
    uow: StaffUnitOfWork,
    passwords: PasswordHasher,
    actor: str,
    username: str,
    password: str,
    *,
    now: datetime,
    reset_second_factor: bool = False,
) -> None:
    """A forgotten password: a new one (the policy's), the account's sessions and sign-in
    locks ended. With `reset_second_factor` (a lost phone too) the holder enrols a new
    authenticator app at the next sign-in, as at the first."""
    check_password_policy(password)
    password_hash = passwords.hash(password)
    with uow:
        account = _managed(uow, actor, username)
        uow.staff.set_password(account.id, password_hash, now)
        uow.staff.end_sessions_of(account.id)
        uow.staff.clear_locks(account.id)
        if reset_second_factor:
            uow.staff.reset_second_factor(account.username)
        _audit(
            uow,
            actor,
            AuditAction.RESET_PASSWORD,
            account=account.username,
            second_factor_reset=reset_second_factor,
        )
        uow.commit()
