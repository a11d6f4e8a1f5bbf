"""Settings shared by the API and the action server, read from `PCL_` environment variables."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.facts import DEFAULT_FACTS_PATH
from bot.records.crypto import decode_key, decode_keys

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_PLACEHOLDERS = {"", "change-me", "changeme", "secret", "password"}
_MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PCL_", extra="ignore", hide_input_in_errors=True)

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'pcl.db'}"
    facts_file: Path = DEFAULT_FACTS_PATH

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: SecretStr
    rasa_timeout_seconds: float = 8.0
    action_server_url: str = "http://127.0.0.1:5055"

    # Keys pseudonymous ids (conversation ids in logs, SMS senders): never the raw value.
    hmac_key: SecretStr

    # Encrypt contact fields at rest: base64 keys, comma-separated, newest first (rotation).
    encryption_keys: SecretStr
    # Keys the blind index of child name + date of birth; kept apart from the encryption keys.
    blind_index_key: SecretStr

    api_host: str = "127.0.0.1"
    api_port: int = 8000

    # Fixes the clock for demonstrations and tests; refused in production.
    now: datetime | None = None

    @field_validator("now")
    @classmethod
    def _now_has_a_zone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("PCL_NOW needs a UTC offset, e.g. 2026-12-28T11:00:00+00:00")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_values(self) -> Settings:
        for name in ("rasa_token", "hmac_key", "encryption_keys", "blind_index_key"):
            if not getattr(self, name).get_secret_value():
                raise ValueError(f"PCL_{name.upper()} must be set (`make run` generates them)")
        if self.env != "production":
            return self
        if self.now is not None:
            raise ValueError("PCL_NOW is refused when PCL_ENV=production")
        for name in ("rasa_token", "hmac_key"):
            secret = getattr(self, name).get_secret_value()
            if secret.lower() in _PLACEHOLDERS or len(secret) < _MIN_SECRET_LENGTH:
                raise ValueError(
                    f"PCL_{name.upper()} must be a random secret of at least "
                    f"{_MIN_SECRET_LENGTH} characters in production"
                )
        self._check_record_keys()
        if self.database_url.startswith("sqlite"):
            raise ValueError("PCL_DATABASE_URL must name PostgreSQL in production")
        return self

    def _check_record_keys(self) -> None:
        # Production data must be encrypted with real AES-256 keys, never a typed password.
        try:
            ring = decode_keys(self.encryption_keys.get_secret_value())
        except ValueError as error:
            raise ValueError(
                f"PCL_ENCRYPTION_KEYS: {error} (make one with bot.records.crypto.generate_key())"
            ) from None
        try:
            index_key = decode_key(self.blind_index_key.get_secret_value())
        except ValueError as error:
            raise ValueError(f"PCL_BLIND_INDEX_KEY: {error}") from None
        if len(set(ring)) != len(ring):
            raise ValueError("PCL_ENCRYPTION_KEYS lists the same key twice")
        if index_key in ring:
            raise ValueError("PCL_BLIND_INDEX_KEY must differ from every PCL_ENCRYPTION_KEYS key")


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()  # type: ignore[call-arg]  # required values come from the environment
