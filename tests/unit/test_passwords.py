"""Staff passwords: the length rule, Argon2id hashes, a rehash when the parameters have moved
on, and the same work for an account that does not exist."""

from __future__ import annotations

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from bot.adapters.passwords import PasswordPolicyError, Passwords, check_password_policy

WEAK = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),))


@pytest.mark.parametrize("password", ["", "short", "elevenchars", " " * 12])
def test_a_password_shorter_than_12_characters_or_only_spaces_is_refused(password: str) -> None:
    with pytest.raises(PasswordPolicyError):
        check_password_policy(password)


def test_a_password_of_12_characters_is_accepted() -> None:
    check_password_policy("twelve chars")


def test_a_hash_is_argon2id_and_verifies_only_the_right_password() -> None:
    passwords = Passwords()
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert passwords.verify("correct horse battery", stored) == (True, None)
    assert passwords.verify("correct horse batterY", stored) == (False, None)


def test_a_hash_made_with_weaker_parameters_is_replaced_when_the_password_is_right() -> None:
    old = Passwords(WEAK).hash("correct horse battery")
    matches, new_hash = Passwords().verify("correct horse battery", old)
    assert matches and new_hash is not None and new_hash != old
    assert "m=65536,t=3,p=4" in new_hash and "m=8192,t=1,p=1" in old
    # A wrong password never gets a new hash.
    assert Passwords().verify("wrong password here", old) == (False, None)


@pytest.mark.parametrize("stored", [None, "", "not a hash", "$2b$12$bcrypt-style-hash"])
def test_an_account_without_a_usable_hash_never_matches(stored: str | None) -> None:
    assert Passwords().verify("anything at all", stored) == (False, None)


def test_an_unknown_account_costs_a_real_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    passwords = Passwords()
    calls = []
    real_verify = PasswordHash.verify

    def counting(self: PasswordHash, password: str, hash: str) -> bool:
        calls.append(hash)
        return real_verify(self, password, hash)

    monkeypatch.setattr(PasswordHash, "verify", counting)
    passwords.verify_nothing("a guess at a password")
    assert len(calls) == 1 and calls[0].startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_an_overlong_password_is_refused_after_the_same_work() -> None:
    passwords = Passwords()
    stored = passwords.hash("x" * 20)
    assert passwords.verify("x" * 5000, stored) == (False, None)
