"""Field encryption at rest (AES-256-GCM) and the blind index for exact-match look-ups.

Keys are base64 strings from the environment, passed in explicitly: nothing here reads settings
or keeps a key in a global. Rotation: put the new key first, re-encrypt, then drop the old one.

Each token is bound to where it is stored (its table, column and row: a `Place`) through
AES-GCM's associated data, so a token copied into another row or column fails to decrypt. The
token says how it was sealed: `v2` is bound to its place; `v1` (written before issue 19) to a
constant, and still read until migration 0011 re-encrypts it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
_NONCE_BYTES = 12  # the size AES-GCM is specified for
_VERSION = "v2"  # bound to its table, column and row
_UNBOUND = "v1"  # bound to this use only: read, never written
_WHITESPACE = re.compile(r"\s+")
# A v1 token's associated data: binds it to this use, not to its place.
_UNBOUND_ASSOCIATED_DATA = b"pcl-field-v1"


@dataclass(frozen=True)
class Place:
    """Where a token is stored. `row` must be known before the row is inserted (a contact's
    reference, a row's id) and never change."""

    table: str
    column: str
    row: str

    def associated_data(self) -> bytes:
        return "\x1f".join(("pcl-field-v2", self.table, self.column, self.row)).encode()


class DecryptionError(ValueError):
    """A stored token could not be decrypted: unknown key, tampered or malformed."""


def generate_key() -> str:
    """A new random 256-bit key as URL-safe base64 (no commas, safe in an env file)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def decode_key(text: str) -> bytes:
    """The raw bytes of one base64 key (standard or URL-safe); ValueError unless 32 bytes.
    The message never repeats the key."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a key is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"a key must be {KEY_BYTES} bytes of base64, not {len(raw)}")
    return raw


def decode_keys(keys: list[bytes] | str) -> list[bytes]:
    """A keyring from raw keys or a comma-separated base64 string, newest first."""
    if isinstance(keys, str):
        keys = [decode_key(part) for part in keys.split(",") if part.strip()]
    if not keys:
        raise ValueError("at least one encryption key is needed")
    for key in keys:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a key must be {KEY_BYTES} bytes, not {len(key)}")
    return list(keys)


def key_id(key: bytes) -> str:
    """A short public name for a key, stored in each token so rotation is traceable. It is a
    hash of the key under a fixed label, so it tells nothing about the key."""
    return hashlib.sha256(b"pcl-key-id:" + key).hexdigest()[:8]


def normalise(part: str | date | int | None) -> str:
    """How a look-up value is compared: case-folded, Unicode-normalised, whitespace collapsed;
    dates as ISO 8601."""
    if part is None:
        return ""
    if isinstance(part, date):
        return part.isoformat()
    text = unicodedata.normalize("NFKC", str(part)).casefold()
    return _WHITESPACE.sub(" ", text).strip()


class FieldCipher:
    """Encrypts single text fields. The first key encrypts; every key decrypts."""

    def __init__(self, keys: list[bytes] | str, index_key: bytes | str) -> None:
        ring = decode_keys(keys)
        self._encrypting_id = key_id(ring[0])
        self._ciphers = {key_id(key): AESGCM(key) for key in ring}
        raw_index_key = decode_key(index_key) if isinstance(index_key, str) else index_key
        if len(raw_index_key) != KEY_BYTES:
            raise ValueError(f"the blind index key must be {KEY_BYTES} bytes")
        if raw_index_key in ring:
            raise ValueError("the blind index key must differ from the encryption keys")
        self._index_key = raw_index_key

    @property
    def current_key_id(self) -> str:
        return self._encrypting_id

    def encrypt(self, plaintext: str | None, place: Place) -> str | None:
        """`v2.<key id>.<base64url(nonce + ciphertext + tag)>`, bound to `place`; None stays
        None."""
        return self._seal(plaintext, _VERSION, place.associated_data())

    def decrypt(self, token: str | None, place: Place) -> str | None:
        """The text of a token stored at `place`; DecryptionError if it was sealed for another
        place, tampered with, or its key is not in the keyring."""
        if token is None:
            return None
        version, ident, body = _split(token)
        if version == _VERSION:
            associated_data = place.associated_data()
        elif version == _UNBOUND:
            associated_data = _UNBOUND_ASSOCIATED_DATA
        else:
            raise DecryptionError(f"unknown token version {version!r}")
        cipher = self._ciphers.get(ident)
        if cipher is None:
            raise DecryptionError(f"no key {ident!r} in the keyring (was it dropped too early?)")
        try:
            # Strict decoding: a token with stray characters is refused, not silently cleaned.
            raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
            return cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], associated_data).decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise DecryptionError(
                f"the token in {place.table}.{place.column} of row {place.row} failed "
                "authentication (tampered with, or moved from another row or column)"
            ) from None

    def key_id_of(self, token: str) -> str:
        """Which key encrypted a token: shows what still needs re-encrypting after rotation."""
        return _split(token)[1]

    def needs_reencryption(self, token: str | None) -> bool:
        """Sealed with an older key, or not bound to its place (v1)."""
        if token is None:
            return False
        version, ident, _ = _split(token)
        return version != _VERSION or ident != self._encrypting_id

    def reencrypt(self, token: str | None, place: Place) -> str | None:
        """The same value under the newest key, bound to `place` (a rotation or migration
        step); current tokens are kept."""
        if not self.needs_reencryption(token):
            return token
        return self.encrypt(self.decrypt(token, place), place)

    def unbind(self, token: str | None, place: Place) -> str | None:
        """The same value as a v1 token (migration 0011's downgrade: older code reads only v1)."""
        return self._seal(self.decrypt(token, place), _UNBOUND, _UNBOUND_ASSOCIATED_DATA)

    def _seal(self, plaintext: str | None, version: str, associated_data: bytes) -> str | None:
        if plaintext is None:
            return None
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[self._encrypting_id].encrypt(
            nonce, plaintext.encode(), associated_data
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{version}.{self._encrypting_id}.{body}"

    def blind_index(self, *parts: str | date | int | None) -> str:
        """HMAC-SHA256 over the normalised parts: equal for equal values under one key, so exact
        duplicates can be found without decrypting; meaningless without the key."""
        message = "\x1f".join(normalise(part) for part in parts).encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


def _split(token: str) -> tuple[str, str, str]:
    pieces = token.split(".", 2)
    if len(pieces) != 3:
        raise DecryptionError("a stored token is malformed")
    return pieces[0], pieces[1], pieces[2]
