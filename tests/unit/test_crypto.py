"""Field encryption at rest and the blind index."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from bot.adapters.crypto import (
    DecryptionError,
    FieldCipher,
    Place,
    decode_key,
    generate_key,
    key_id,
)

NAME = "Jaydn Okonkwo-Smith"
CONCERN = "Bruises on both arms noticed at nursery on Tuesday"


def cipher(*keys: str, index_key: str | None = None) -> FieldCipher:
    return FieldCipher(",".join(keys), index_key or INDEX_KEY)


OLD, NEW, INDEX_KEY = generate_key(), generate_key(), generate_key()
HERE = Place("contacts", "concern", "PCL-2026-000001")


def test_round_trip() -> None:
    c = cipher(NEW)
    for text in (NAME, CONCERN, "", "Zoë 🙂 née Ł", "x" * 10_000):
        assert c.decrypt(c.encrypt(text, HERE), HERE) == text


def test_none_stays_none() -> None:
    c = cipher(NEW)
    assert c.encrypt(None, HERE) is None
    assert c.decrypt(None, HERE) is None


def test_the_token_names_its_key_and_hides_the_text() -> None:
    c = cipher(NEW)
    token = c.encrypt(CONCERN, HERE)
    assert token is not None
    version, ident, _body = token.split(".")
    assert (version, ident) == ("v2", key_id(decode_key(NEW)))
    for word in CONCERN.split():
        if len(word) > 4:  # a short word can turn up in any random base64 by chance
            assert word not in token
    assert CONCERN.encode() not in base64.urlsafe_b64decode(_body + "==")


def test_the_same_text_encrypts_differently_each_time() -> None:
    c = cipher(NEW)
    assert c.encrypt(NAME, HERE) != c.encrypt(NAME, HERE)


def test_rotation_old_tokens_decrypt_with_the_new_keyring_and_re_encrypt() -> None:
    before = cipher(OLD)
    token = before.encrypt(NAME, HERE)
    during = cipher(NEW, OLD)  # the new key first: it encrypts; both decrypt
    assert during.decrypt(token, HERE) == NAME
    assert during.needs_reencryption(token)
    rotated = during.reencrypt(token, HERE)
    assert rotated is not None
    assert during.key_id_of(rotated) == during.current_key_id == key_id(decode_key(NEW))
    assert not during.needs_reencryption(rotated)
    after = cipher(NEW)  # the old key dropped once everything is re-encrypted
    assert after.decrypt(rotated, HERE) == NAME
    with pytest.raises(DecryptionError, match="no key"):
        after.decrypt(token, HERE)


@pytest.mark.parametrize("position", [5, 12, 20, -1])
def test_a_tampered_token_fails(position: int) -> None:
    c = cipher(NEW)
    token = c.encrypt(CONCERN, HERE)
    assert token is not None
    prefix_length = len("v2.") + 8 + 1
    index = prefix_length + position if position >= 0 else len(token) + position
    replacement = "A" if token[index] != "A" else "B"
    tampered = token[:index] + replacement + token[index + 1 :]
    with pytest.raises(DecryptionError):
        c.decrypt(tampered, HERE)


@pytest.mark.parametrize("token", ["", "garbage", "v1.deadbeef", "v2.x.y", "v1.zz.!!!"])
def test_a_malformed_token_fails(token: str) -> None:
    with pytest.raises(DecryptionError):
        cipher(NEW).decrypt(token, HERE)


def test_stray_characters_in_a_token_are_refused() -> None:
    c = cipher(NEW)
    token = c.encrypt(NAME, HERE)
    assert token is not None
    with pytest.raises(DecryptionError):
        c.decrypt(token[:20] + "!" + token[20:], HERE)


def test_another_keyring_cannot_decrypt() -> None:
    token = cipher(NEW).encrypt(NAME, HERE)
    with pytest.raises(DecryptionError):
        cipher(OLD).decrypt(token, HERE)


def test_the_blind_index_is_stable_normalised_and_key_dependent() -> None:
    born = date(2019, 3, 14)
    c = cipher(NEW)
    index = c.blind_index(NAME, born)
    assert index == c.blind_index("  jaydn   OKONKWO-smith ", born)
    assert index == cipher(OLD).blind_index(NAME, born)  # encryption keys do not matter
    assert index != c.blind_index(NAME, date(2019, 3, 15))
    assert index != c.blind_index("Jaydn Okonkwo", born)
    assert index != cipher(NEW, index_key=generate_key()).blind_index(NAME, born)
    assert NAME.casefold() not in index and len(index) == 64


def test_the_parts_of_a_blind_index_do_not_run_together() -> None:
    c = cipher(NEW)
    assert c.blind_index("ab", "c") != c.blind_index("a", "bc")


@pytest.mark.parametrize(
    "keys",
    [
        "",
        "not base64 at all!",
        base64.b64encode(b"short").decode(),
        base64.b64encode(b"k" * 31).decode(),
    ],
)
def test_bad_keys_are_refused_without_repeating_them(keys: str) -> None:
    with pytest.raises(ValueError) as error:
        FieldCipher(keys, INDEX_KEY)
    if keys:
        assert keys not in str(error.value)


def test_the_index_key_must_differ_from_the_encryption_keys() -> None:
    with pytest.raises(ValueError, match="differ"):
        FieldCipher(f"{NEW},{OLD}", OLD)


def test_generated_keys_are_32_random_bytes_in_both_base64_alphabets() -> None:
    key = generate_key()
    assert len(decode_key(key)) == 32
    standard = base64.b64encode(decode_key(key)).decode()
    assert decode_key(standard) == decode_key(key)
    assert generate_key() != key
    assert "," not in key


# --- each token bound to its table, column and row (issue 19) --------------------------------


@pytest.mark.parametrize(
    "elsewhere",
    [
        Place("contacts", "concern", "PCL-2026-000002"),  # another row
        Place("contacts", "child_name", "PCL-2026-000001"),  # another column
        Place("manager_decisions", "concern", "PCL-2026-000001"),  # another table
    ],
)
def test_a_token_moved_to_another_row_column_or_table_fails_clearly(elsewhere: Place) -> None:
    c = cipher(NEW)
    token = c.encrypt(CONCERN, HERE)
    with pytest.raises(DecryptionError, match="moved from another row or column") as failure:
        c.decrypt(token, elsewhere)
    assert elsewhere.table in str(failure.value) and CONCERN not in str(failure.value)


def test_the_parts_of_a_place_do_not_run_together() -> None:
    c = cipher(NEW)
    token = c.encrypt(NAME, Place("contacts", "child_name", "1"))
    with pytest.raises(DecryptionError):
        c.decrypt(token, Place("contacts", "child_nam", "e1"))


def test_a_token_written_before_the_binding_still_reads_and_re_encrypts_bound() -> None:
    c = cipher(NEW)
    old = c.unbind(c.encrypt(NAME, HERE), HERE)  # a v1 token, as written before issue 19
    assert old is not None and old.startswith("v1.")
    assert c.decrypt(old, HERE) == NAME
    assert c.decrypt(old, Place("contacts", "child_name", "PCL-2026-000009")) == NAME  # unbound
    assert c.needs_reencryption(old)
    bound = c.reencrypt(old, HERE)
    assert bound is not None and bound.startswith("v2.")
    assert not c.needs_reencryption(bound)
    assert c.decrypt(bound, HERE) == NAME
