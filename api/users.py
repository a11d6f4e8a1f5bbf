"""Staff accounts from the command line, on the server (SPEC §8):

    python -m api.users add USERNAME --role irt_manager|admin   # the password from standard input
    python -m api.users list
    python -m api.users disable USERNAME      # signs them out and refuses their sign-ins
    python -m api.users enable USERNAME       # also clears its locks
    python -m api.users reset-second-factor USERNAME   # a lost phone: a new TOTP secret
    python -m api.users remove USERNAME

`add` and `reset-second-factor` print the account's TOTP secret as an otpauth:// URI on their
last line (SPEC §8): its holder adds it to an authenticator app, and confirms it with a code at
the first sign-in (the sign-in page shows the same secret until then).

The password is read from standard input (a prompt, twice, at a terminal; the first line of a
pipe otherwise), never from the command line, where other users could see it. It must be at
least 12 characters. Settings come from the PCL_ environment, as for the API.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from bot.adapters import totp
from bot.adapters.crypto import FieldCipher
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.migrations import prepare_or_exit
from bot.adapters.db.staff import Role, StaffRepository, StaffRuleError
from bot.adapters.passwords import PasswordPolicyError, Passwords, check_password_policy
from bot.adapters.sealed_fields import TotpSecrets
from bot.adapters.settings import get_settings
from bot.domain.clock import make_clock
from bot.services.staff_auth import SecondFactor


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api.users", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add an account; the password is read from stdin")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    commands.add_parser("list", help="list the accounts")
    for name, text in (
        ("disable", "refuse an account's sign-ins and end its sessions"),
        ("enable", "allow a disabled or locked account again"),
        ("remove", "delete an account (its audit events stay)"),
        ("reset-second-factor", "give an account a new TOTP secret (printed as a URI)"),
    ):
        commands.add_parser(name, help=text).add_argument("username")
    return parser


def read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password (at least 12 characters): ")
        if getpass.getpass("The same password again: ") != first:
            raise PasswordPolicyError("the two passwords are different")
        return first
    return stdin.readline().rstrip("\r\n")


def main(
    argv: Sequence[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    arguments = _parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValueError as error:
        print(f"api.users: configuration error: {error}", file=sys.stderr)
        return 2
    password_hash = None
    if arguments.command == "add":
        try:
            password = read_password(stdin)
            check_password_policy(password)
        except PasswordPolicyError as error:
            print(f"api.users: {error}", file=sys.stderr)
            return 1
        password_hash = Passwords().hash(password)

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    prepare_or_exit(settings, "api.users")
    engine = make_engine(settings.database_url)
    now = make_clock(settings.now).now()
    try:
        with make_session_factory(engine).begin() as session:
            staff = StaffRepository(session)
            cipher = FieldCipher(
                settings.encryption_keys.get_secret_value(),
                settings.blind_index_key.get_secret_value(),
            )
            if arguments.command == "add":
                account = staff.add_user(arguments.username, arguments.role, password_hash, now)
                print(f"added {account.username} ({account.role.value})", file=stdout)
                secret = SecondFactor(staff, TotpSecrets(cipher), totp.TotpCodes()).new_secret(
                    account
                )
                print(totp.provisioning_uri(secret, account.username), file=stdout)
            elif arguments.command == "list":
                for account in staff.accounts():
                    state = (
                        "disabled"
                        if account.disabled_at
                        else ("locked" if account.is_locked(now) else "active")
                    )
                    print(f"{account.username}\t{account.role.value}\t{state}", file=stdout)
            elif arguments.command == "disable":
                staff.disable(arguments.username, now)
                print(f"disabled {arguments.username}", file=stdout)
            elif arguments.command == "enable":
                staff.enable(arguments.username)
                print(f"enabled {arguments.username}", file=stdout)
            elif arguments.command == "reset-second-factor":
                staff.reset_second_factor(arguments.username)
                account = staff.find(arguments.username)
                assert account is not None
                secret = SecondFactor(staff, TotpSecrets(cipher), totp.TotpCodes()).new_secret(
                    account
                )
                print(f"new second factor for {account.username}", file=stdout)
                print(totp.provisioning_uri(secret, account.username), file=stdout)
            elif arguments.command == "remove":
                staff.remove(arguments.username)
                print(f"removed {arguments.username}", file=stdout)
    except StaffRuleError as error:
        print(f"api.users: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
