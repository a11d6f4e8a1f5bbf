"""The record keys in the settings: required everywhere, real AES-256 keys in production."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from bot.adapters.crypto import generate_key
from bot.adapters.settings import Settings

KEY, OLDER, INDEX = generate_key(), generate_key(), generate_key()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PCL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PCL_ENV", "test")  # settings default to production


def settings(**values: str) -> Settings:
    base = {
        "rasa_token": "t" * 40,
        "hmac_key": "k" * 40,
        "encryption_keys": f"{KEY},{OLDER}",
        "blind_index_key": INDEX,
    }
    base.update(values)
    return Settings(**base)  # type: ignore[arg-type]


def production(**values: str) -> Settings:
    return settings(env="production", database_url="postgresql+psycopg://db/pcl", **values)


def test_keys_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PCL_ENCRYPTION_KEYS", KEY)
    monkeypatch.setenv("PCL_BLIND_INDEX_KEY", INDEX)
    read = Settings(rasa_token="t" * 40, hmac_key="k" * 40)  # type: ignore[call-arg]
    assert read.encryption_keys.get_secret_value() == KEY
    assert KEY not in repr(read)


@pytest.mark.parametrize("name", ["encryption_keys", "blind_index_key"])
def test_an_empty_key_is_refused_naming_it(name: str) -> None:
    with pytest.raises(ValidationError, match=f"PCL_{name.upper()}"):
        settings(**{name: ""})


@pytest.mark.parametrize("name", ["encryption_keys", "blind_index_key"])
def test_a_missing_key_is_refused(name: str) -> None:
    values = {"rasa_token": "t" * 40, "hmac_key": "k" * 40}
    values |= {"encryption_keys": KEY, "blind_index_key": INDEX}
    del values[name]
    with pytest.raises(ValidationError, match=name):
        Settings(**values)  # type: ignore[arg-type]


def test_production_accepts_real_keys_newest_first() -> None:
    assert production().env == "production"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"encryption_keys": "change-me-please-change-me-please"}, "PCL_ENCRYPTION_KEYS"),
        ({"encryption_keys": f"{KEY},short"}, "PCL_ENCRYPTION_KEYS"),
        ({"encryption_keys": f"{KEY},{KEY}"}, "PCL_ENCRYPTION_KEYS"),
        ({"blind_index_key": "k" * 44}, "PCL_BLIND_INDEX_KEY"),
        ({"blind_index_key": OLDER}, "PCL_BLIND_INDEX_KEY"),
    ],
)
def test_production_refuses_keys_that_are_not_real_keys(values: dict[str, str], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        production(**values)


def test_a_configuration_error_never_shows_key_material() -> None:
    with pytest.raises(ValidationError) as error:
        production(rasa_token="change-me")
    message = str(error.value)
    for secret in (KEY, OLDER, INDEX):
        for start in range(0, len(secret) - 8, 4):
            assert secret[start : start + 8] not in message
