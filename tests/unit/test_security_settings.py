"""The settings that guard against hostile callers: production is the default, rate limits
cannot be turned off in production, Redis must ask for a password there, limits must read."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from bot.adapters.crypto import generate_key
from bot.adapters.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PCL_"):
            monkeypatch.delenv(name)


def settings(**values: str) -> Settings:
    base = {
        "rasa_token": "t" * 40,
        "hmac_key": "k" * 40,
        "encryption_keys": generate_key(),
        "blind_index_key": generate_key(),
        "database_url": "postgresql+psycopg://db/pcl",
    }
    base.update(values)
    return Settings(**base)  # type: ignore[arg-type]


def test_the_default_environment_is_production() -> None:
    assert settings().env == "production"
    with pytest.raises(ValidationError, match="PostgreSQL"):
        settings(database_url="sqlite:///x.db")


def test_rate_limits_are_on_by_default_and_off_is_refused_in_production() -> None:
    assert settings().rate_limits_on
    assert not settings(env="test", rate_limits="off").rate_limits_on
    with pytest.raises(ValidationError, match="PCL_RATE_LIMITS=off is refused"):
        settings(rate_limits="off")


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "redis://user@redis:6379/0", "http://:pw@redis/0"]
)
def test_production_refuses_a_redis_url_without_a_password(url: str) -> None:
    with pytest.raises(ValidationError, match="PCL_REDIS_URL"):
        settings(redis_url=url)
    assert settings(env="test", redis_url=url).redis_url.get_secret_value() == url


@pytest.mark.parametrize(
    "url", ["redis://:s3cret@redis:6379/0", "rediss://pcl:s3cret@redis.internal:6380/0"]
)
def test_production_takes_a_redis_url_with_a_password(url: str) -> None:
    assert settings(redis_url=url).redis_url.get_secret_value() == url
    assert "s3cret" not in repr(settings(redis_url=url))


@pytest.mark.parametrize("value", ["", "lots", "10 per fortnight", "-1/minute"])
def test_a_rate_limit_that_does_not_read_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="rate limit"):
        settings(env="test", rate_limit_chat_client=value)
