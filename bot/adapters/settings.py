"""Settings shared by the API and the action server, read from `PCL_` environment variables."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.adapters.crypto import decode_key, decode_keys
from bot.adapters.rate_limits import alert_cap, parse_limit
from bot.adapters.service_file import DEFAULT_FACTS_PATH

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_PLACEHOLDERS = {"", "change-me", "changeme", "secret", "password"}
_MIN_SECRET_LENGTH = 32
# A CSP frame-ancestors source: 'self' or an https origin (a leading *. for subdomains).
_FRAME_SOURCE = re.compile(r"'self'|https://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:[0-9]{1,5})?", re.I)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PCL_", extra="ignore", hide_input_in_errors=True)

    # Production unless said otherwise: `make run` sets development, the tests set test.
    env: Literal["development", "test", "production"] = "production"
    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'pcl.db'}"
    facts_file: Path = DEFAULT_FACTS_PATH

    rasa_url: str = "http://127.0.0.1:5005"
    # The token of Rasa's pcl channel (rasa_ext/channel.py), the only part of Rasa the API
    # uses. Rasa's HTTP API (which can replace the model) has another, PCL_RASA_API_TOKEN,
    # which the API never holds.
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

    # Who may show the web chat in a frame (CSP frame-ancestors): 'none', or the council's own
    # pages, e.g. "https://www.derby.gov.uk" ('self' and https origins, space-separated).
    frame_ancestors: str = "'none'"

    # SMS through Twilio: off (the webhook answers 404) unless the account SID and auth token
    # are both set. The auth token also signs every webhook Twilio sends us.
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    # The scheme and host Twilio calls, as Twilio sees them (behind a proxy the API's own URL
    # differs); the webhook's signature covers the full URL, so this must be exact, e.g.
    # https://pcl.example.gov.uk (no path: the request's own path is added).
    public_base_url: str = ""
    # The line's sending number (E.164), used for the IRT alert.
    twilio_from: str = ""
    # The IRT duty phone (E.164): significant-harm alerts are off unless it is set.
    irt_alert_to: str = ""
    # Where the REST client sends requests; None is Twilio's own API. Tests point it at a
    # local stand-in.
    twilio_api_base: str | None = None
    # Twilio gives up after 15 s: after this, the urgent routes rather than nothing. Not
    # shorter: under load a turn waits its place in Rasa's queue (about 2.5 s at 50 callers
    # on 2 cores, scripts/bench.py), and an answer that comes later than the urgent routes is
    # lost to the caller, whose conversation has moved on without them seeing the question.
    sms_rasa_timeout_seconds: float = 10.0

    # Staff sessions end after this long without a request (SPEC §6: 30 minutes), and the
    # staff pages warn this long before (a modal dialog with "Stay signed in"). Never longer
    # than 30 minutes; tests set a short timeout so they need not wait for the real one.
    # At least 20 seconds to answer the warning (WCAG 2.2 success criterion 2.2.1).
    staff_idle_timeout_seconds: int = Field(default=30 * 60, ge=30, le=30 * 60)
    staff_timeout_warning_seconds: int = Field(default=2 * 60, ge=20, le=10 * 60)
    # In production, start even though a fact is confirm_before_live or the harm phrase list is
    # unreviewed (a warning for each on every start); without it, start-up is refused.
    allow_unconfirmed_facts: bool = False

    # Fixes the clock for demonstrations and tests; refused in production.
    now: datetime | None = None

    # --- hostile callers: rate limits and sign-in ------------------------------------------
    # On unless "off" (load tests, evaluations); "off" is refused in production.
    rate_limits: Literal["on", "off"] = "on"
    # Where the limits are counted: Redis (every API instance together; in production it must
    # carry a password, and rediss:// for TLS), or this process's memory when empty.
    redis_url: SecretStr = SecretStr("")
    # The proxies whose X-Forwarded-For is believed (addresses, space- or comma-separated):
    # the client is the last address in the header that is not one of them. Anyone else's
    # header is ignored, so a caller cannot name themselves a new client at each request.
    trusted_proxies: str = ""
    # "N/second|minute|hour", or "N per M minutes" (the `limits` library's notation).
    rate_limit_chat_client: str = "60/minute"
    rate_limit_chat_conversation: str = "20/minute"
    rate_limit_sms_sender: str = "10/minute"
    rate_limit_sign_in_client: str = "10/minute"
    rate_limit_sign_in_account: str = "100/hour"
    # Flagged (significant-harm) contacts one client may make before the rest are marked as
    # from a possible flood: kept, but sorted after the others in the IRT queue.
    flagged_contacts_per_client: str = "3/hour"
    # At most this many messages to the IRT duty phone in any window; the alerts beyond it are
    # told of in one summary as soon as the window has room (bot.domain.alert_cap).
    irt_alert_cap: str = "5 per 10 minutes"
    # Sign-in attempts checking a password (Argon2id, 64 MiB each) at once in one API process;
    # more get 503 at once rather than queue.
    sign_in_concurrency: int = 4

    @property
    def rate_limits_on(self) -> bool:
        return self.rate_limits == "on"

    @property
    def trusted_proxy_addresses(self) -> frozenset[str]:
        return frozenset(self.trusted_proxies.replace(",", " ").split())

    @field_validator(
        "rate_limit_chat_client",
        "rate_limit_chat_conversation",
        "rate_limit_sms_sender",
        "rate_limit_sign_in_client",
        "rate_limit_sign_in_account",
        "flagged_contacts_per_client",
    )
    @classmethod
    def _limit_is_readable(cls, value: str) -> str:
        parse_limit(value)
        return value

    @field_validator("irt_alert_cap")
    @classmethod
    def _cap_is_readable(cls, value: str) -> str:
        alert_cap(value)
        return value

    @field_validator("now")
    @classmethod
    def _now_has_a_zone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("PCL_NOW needs a UTC offset, e.g. 2026-12-28T11:00:00+00:00")
        return value

    @property
    def staff_idle_timeout(self) -> timedelta:
        return timedelta(seconds=self.staff_idle_timeout_seconds)

    @property
    def sms_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value())

    @property
    def irt_alert_enabled(self) -> bool:
        return bool(self.irt_alert_to)  # the validator refuses it without credentials

    @field_validator("frame_ancestors")
    @classmethod
    def _frame_ancestors_are_sources(cls, value: str) -> str:
        sources = value.split()
        if sources == ["'none'"] or (
            sources and all(_FRAME_SOURCE.fullmatch(source) for source in sources)
        ):
            return " ".join(sources)
        raise ValueError(
            "PCL_FRAME_ANCESTORS must be 'none', or 'self' and https origins separated by "
            'spaces, e.g. "https://www.derby.gov.uk"'
        )

    @model_validator(mode="after")
    def _refuse_unsafe_values(self) -> Settings:
        for name in ("rasa_token", "hmac_key", "encryption_keys", "blind_index_key"):
            if not getattr(self, name).get_secret_value():
                raise ValueError(f"PCL_{name.upper()} must be set (`make run` generates them)")
        self._check_twilio()
        if self.staff_timeout_warning_seconds >= self.staff_idle_timeout_seconds:
            raise ValueError(
                "PCL_STAFF_TIMEOUT_WARNING_SECONDS must be shorter than "
                "PCL_STAFF_IDLE_TIMEOUT_SECONDS"
            )
        if self.env != "production":
            return self
        if self.now is not None:
            raise ValueError("PCL_NOW is refused when PCL_ENV=production")
        if not self.rate_limits_on:
            raise ValueError("PCL_RATE_LIMITS=off is refused when PCL_ENV=production")
        self._check_redis_url()
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

    def _check_twilio(self) -> None:
        # Half a configuration would leave SMS silently off, or alerts silently unsent.
        if bool(self.twilio_account_sid) != bool(self.twilio_auth_token.get_secret_value()):
            raise ValueError("PCL_TWILIO_ACCOUNT_SID and PCL_TWILIO_AUTH_TOKEN go together")
        if self.sms_enabled and not self.public_base_url:
            raise ValueError("PCL_PUBLIC_BASE_URL must be set to check Twilio's signatures")
        for name in ("twilio_from", "irt_alert_to"):
            value = getattr(self, name)
            if value and not _E164.fullmatch(value):
                raise ValueError(f"PCL_{name.upper()} must be an E.164 number like +447700900123")
        if self.irt_alert_to and not (self.sms_enabled and self.twilio_from):
            raise ValueError(
                "PCL_IRT_ALERT_TO needs the Twilio credentials and PCL_TWILIO_FROM, the number "
                "alerts are sent from"
            )
        if self.env == "production" and self.sms_enabled:
            # The signature covers the URL, and the REST client sends the auth token with
            # every request: both must travel over TLS.
            for name in ("public_base_url", "twilio_api_base"):
                value = getattr(self, name)
                if value and not value.startswith("https://"):
                    raise ValueError(f"PCL_{name.upper()} must be an https:// URL in production")

    def _check_redis_url(self) -> None:
        url = self.redis_url.get_secret_value()
        if not url:
            return
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss") or not parts.password:
            raise ValueError(
                "PCL_REDIS_URL must name a Redis that asks for a password in production, e.g. "
                "rediss://:PASSWORD@redis.internal:6380/0 (rediss:// for TLS)"
            )

    def _check_record_keys(self) -> None:
        # Production data must be encrypted with real AES-256 keys, never a typed password.
        try:
            ring = decode_keys(self.encryption_keys.get_secret_value())
        except ValueError as error:
            raise ValueError(
                f"PCL_ENCRYPTION_KEYS: {error} (make one with bot.adapters.crypto.generate_key())"
            ) from None
        try:
            index_key = decode_key(self.blind_index_key.get_secret_value())
        except ValueError as error:
            raise ValueError(f"PCL_BLIND_INDEX_KEY: {error}") from None
        if len(set(ring)) != len(ring):
            raise ValueError("PCL_ENCRYPTION_KEYS lists the same key twice")
        if index_key in ring:
            raise ValueError("PCL_BLIND_INDEX_KEY must differ from every PCL_ENCRYPTION_KEYS key")


class _GivenSettings(Settings):
    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], **sources: Any
    ) -> tuple[Any, ...]:
        return (sources["init_settings"],)


def given_settings(**values: Any) -> Settings:
    """Settings from these values only, checked as the environment's are (for tests and
    tools: nothing is read from the environment)."""
    return _GivenSettings(**values)


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()  # type: ignore[call-arg]  # required values come from the environment
