"""Rate limits (the `limits` library): in Redis when PCL_REDIS_URL is set, so that every API
instance counts together, and in the process's memory otherwise.

Every key is a keyed hash (HMAC) of what it counts (a client's address, a conversation, an SMS
sender, an account): no address or number is ever kept in the store. `PCL_RATE_LIMITS=off`
turns the limits off (load tests, evaluations); the settings refuse it in production.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.domain.alert_cap import AlertCap

logger = logging.getLogger(__name__)


class RateLimitSyntaxError(ValueError):
    pass


def parse_limit(text: str) -> RateLimitItem:
    """ "30/minute", "10 per 15 minutes"...; a ValueError for anything else."""
    try:
        return parse(text)
    except ValueError:
        raise RateLimitSyntaxError(
            f"{text!r} is not a rate limit such as '30/minute' or '100 per hour'"
        ) from None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0


ALLOWED = Verdict(True)


class RateLimiter:
    def __init__(self, key: str, redis_url: str = "", *, enabled: bool = True) -> None:
        self._key = key.encode()
        self.enabled = enabled
        self._storage: Any = storage_from_string(redis_url) if redis_url else MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)

    def pseudonym(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

    def hit(self, limit: RateLimitItem, kind: str, value: str) -> Verdict:
        """Counts one request of `kind` from `value` (hashed); refused once over the limit.
        A store that does not answer lets the request through (the limits protect the service;
        they must not be what stops it) and says so in the log."""
        if not self.enabled:
            return ALLOWED
        name = self.pseudonym(kind, value)
        try:
            if self._limiter.hit(limit, "pcl", kind, name):
                return ALLOWED
            stats = self._limiter.get_window_stats(limit, "pcl", kind, name)
        except Exception as error:
            logger.error("rate_limit.store_failed %s", type(error).__name__)
            return ALLOWED
        return Verdict(False, max(1, int(stats.reset_time - time.time())))

    def test(self, limit: RateLimitItem, kind: str, value: str) -> bool:
        """Whether one more would be allowed, without counting it."""
        if not self.enabled:
            return True
        try:
            return self._limiter.test(limit, "pcl", kind, self.pseudonym(kind, value))
        except Exception as error:
            logger.error("rate_limit.store_failed %s", type(error).__name__)
            return True

    def clear(self, limit: RateLimitItem, kind: str, value: str) -> None:
        try:
            self._limiter.clear(limit, "pcl", kind, self.pseudonym(kind, value))
        except Exception as error:
            logger.error("rate_limit.store_failed %s", type(error).__name__)


class FlagAllowance:
    """bot.services.records.FloodMeter: each client's newly flagged contacts, counted in the
    limiter's store under a keyed hash of the client's own keyed hash. Beyond the allowance
    (PCL_FLAGGED_CONTACTS_PER_CLIENT) a client is a possible flood; with the limits off, never."""

    def __init__(self, limiter: RateLimiter, allowance: RateLimitItem) -> None:
        self._limiter = limiter
        self._allowance = allowance

    def beyond_allowance(self, client: str) -> bool:
        return not self._limiter.hit(self._allowance, "flagged-contacts", client).allowed


def alert_cap(text: str) -> AlertCap:
    """PCL_IRT_ALERT_CAP ("5 per 10 minutes") as the domain's cap."""
    limit = parse_limit(text)
    return AlertCap(limit.amount, timedelta(seconds=limit.get_expiry()))
