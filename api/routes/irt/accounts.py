"""Administrators manage the IRT managers' accounts from the staff pages (the use cases and
their rules: bot.services.staff_accounts): `GET/POST /irt/admin/users/new` adds one, and an
account's page `GET /irt/admin/users/{username}` disables, re-enables, removes it or resets its
password with a form POST each. Every route is for the `admin` role (403 otherwise), every
POST carries the session's CSRF token (checked after the role), and every change is audited.
The account list itself is `GET /irt/admin/users` (api.routes.irt.users)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request, Response
from fastapi.responses import RedirectResponse

from api.deps import AdminUser, CheckedForm, ServicesDep, StaffSessionDep
from api.irt_pages import page
from api.services import AppServices
from api.staff_cookies import StaffPageError
from bot.domain.staff import MAX_PASSWORD_LENGTH, PasswordPolicyError
from bot.services import staff_accounts as use_cases
from bot.services.staff_auth import ActiveSession

router = APIRouter(prefix="/irt/admin/users", include_in_schema=False)

# An account name's characters (bot.adapters.db.staff), so that nothing else reaches a page's
# links or a redirect's Location.
UsernamePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")]
PasswordForm = Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)]
DONE = {
    "added": "The account has been added. Give its holder the password by a safe route: at "
    "their first sign-in they set up an authenticator app.",
    "disabled": "The account has been disabled and signed out everywhere.",
    "enabled": "The account has been re-enabled. It can sign in again.",
    "password": "The password has been reset and the account signed out everywhere.",
}


def admin_form(member: AdminUser, active: CheckedForm) -> ActiveSession:
    """An administrator's form POST: the role first (403 for anyone else, token or not), then
    the session's CSRF token."""
    return active


AdminForm = Annotated[ActiveSession, Depends(admin_form)]


def _not_found() -> StaffPageError:
    return StaffPageError(
        404, "Account not found", "There is no account with that name. Check it and try again."
    )


def _password_errors(password: str, confirm: str, prefix: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not password:
        errors[f"{prefix}password"] = "Enter a password"
    elif password != confirm:
        errors[f"{prefix}confirm-password"] = "The two passwords are different"
    return errors


def _policy_message(error: PasswordPolicyError) -> str:
    return "The password " + str(error).removeprefix("the password ")


def _summary(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": text, "href": f"#{field}"} for field, text in errors.items()]


# --- adding an account ------------------------------------------------------------------------


def _new_page(
    request: Request,
    services: AppServices,
    active: ActiveSession,
    *,
    username: str = "",
    errors: dict[str, str] | None = None,
) -> Response:
    errors = errors or {}
    return page(
        request,
        services,
        "irt/account_new.html",
        active,
        username=username,
        field_errors=errors,
        errors=_summary(errors),
    )


@router.get("/new")
def new_account_page(
    request: Request, services: ServicesDep, active: StaffSessionDep, admin: AdminUser
) -> Response:
    return _new_page(request, services, active)


@router.post("/new")
def add_account(
    *,
    request: Request,
    services: ServicesDep,
    active: AdminForm,
    username: Annotated[str, Form(max_length=200)] = "",
    password: PasswordForm = "",
    confirm_password: PasswordForm = "",
) -> Response:
    errors = {} if username.strip() else {"username": "Enter a username"}
    errors |= _password_errors(password, confirm_password, "")
    if not errors:
        try:
            account = use_cases.add_account(
                services.unit_of_work(),
                services.passwords,
                active.member.username,
                username,
                password,
                now=services.clock.now(),
            )
            return RedirectResponse(
                f"/irt/admin/users/{account.username}?done=added", status_code=303
            )
        except use_cases.AccountRuleError as error:
            errors["username"] = str(error).capitalize()
        except PasswordPolicyError as error:
            errors["password"] = _policy_message(error)
    return _new_page(request, services, active, username=username.strip(), errors=errors)


# --- an account -------------------------------------------------------------------------------


def _account(services: AppServices, username: str) -> use_cases.AccountDetails:
    try:
        return use_cases.find_account(services.unit_of_work(), username)
    except use_cases.AccountNotFoundError:
        raise _not_found() from None


def _account_page(
    request: Request,
    services: AppServices,
    active: ActiveSession,
    account: use_cases.AccountDetails,
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    errors = errors or {}
    done = request.query_params.get("done", "")
    return page(
        request,
        services,
        "irt/account.html",
        active,
        account=account,
        now=services.clock.now(),
        managed=account.managed_by(active.member.username),
        done=DONE.get(done),
        field_errors=errors,
        errors=_summary(errors),
    )


@router.get("/{username}")
def account_page(
    request: Request,
    username: UsernamePath,
    services: ServicesDep,
    active: StaffSessionDep,
    admin: AdminUser,
) -> Response:
    return _account_page(request, services, active, _account(services, username))


def _change(username: str, done: str, change: Callable[[], None]) -> Response:
    """Runs one change (a call of a use case) and goes back to the account's page (to the
    list, once removed)."""
    try:
        change()
    except use_cases.AccountNotFoundError:
        raise _not_found() from None
    except use_cases.AccountRuleError as error:
        message = str(error).capitalize() + "."
        raise StaffPageError(403, "You cannot change this account", message) from None
    target = "/irt/admin/users" + (f"/{username}?done={done}" if done else "?done=removed")
    return RedirectResponse(target, status_code=303)


@router.post("/{username}/disable")
def disable_account(username: UsernamePath, services: ServicesDep, active: AdminForm) -> Response:
    actor = active.member.username
    return _change(
        username,
        "disabled",
        lambda: use_cases.disable_account(
            services.unit_of_work(), actor, username, now=services.clock.now()
        ),
    )


@router.post("/{username}/enable")
def enable_account(username: UsernamePath, services: ServicesDep, active: AdminForm) -> Response:
    actor = active.member.username
    return _change(
        username,
        "enabled",
        lambda: use_cases.enable_account(services.unit_of_work(), actor, username),
    )


@router.post("/{username}/remove")
def remove_account(
    *,
    request: Request,
    username: UsernamePath,
    services: ServicesDep,
    active: AdminForm,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if confirm != "yes":
        errors = {"confirm-remove": "Confirm that the account is to be removed"}
        return _account_page(request, services, active, _account(services, username), errors=errors)
    actor = active.member.username
    return _change(
        username,
        "",
        lambda: use_cases.remove_account(services.unit_of_work(), actor, username),
    )


@router.post("/{username}/password")
def reset_password(
    *,
    request: Request,
    username: UsernamePath,
    services: ServicesDep,
    active: AdminForm,
    password: PasswordForm = "",
    confirm_password: PasswordForm = "",
    reset_second_factor: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    errors = _password_errors(password, confirm_password, "new-")
    if not errors:
        actor = active.member.username
        try:
            return _change(
                username,
                "password",
                lambda: use_cases.reset_password(
                    services.unit_of_work(),
                    services.passwords,
                    actor,
                    username,
                    password,
                    now=services.clock.now(),
                    reset_second_factor=reset_second_factor == "yes",
                ),
            )
        except PasswordPolicyError as error:
            errors["new-password"] = _policy_message(error)
    return _account_page(request, services, active, _account(services, username), errors=errors)
