"""The one source of "now": the system clock, or the fixed moment of PCL_NOW."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at


def make_clock(fixed_at: datetime | None) -> Clock:
    return FixedClock(fixed_at) if fixed_at is not None else SystemClock()
