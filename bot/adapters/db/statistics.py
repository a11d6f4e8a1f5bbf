"""Anonymous statistics: what operational managers count without anyone's content."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.adapters.db.models import AnonymousStatistic
from bot.domain.statistics import CHANNELS, StatEntry, StatEvent


class StatisticsRepository:
    """The only code that writes or reads `anonymous_statistics`; the caller owns the
    transaction."""

    def __init__(self, session: Session, *, timezone: str) -> None:
        self._session = session
        self._zone = ZoneInfo(timezone)

    def add(self, entry: StatEntry) -> None:
        local = entry.at.astimezone(self._zone)
        channel = entry.channel if entry.channel in CHANNELS else "web"
        self._session.add(
            AnonymousStatistic(
                day=local.date(),
                hour=local.hour,
                channel=channel,
                event=entry.event.value,
                topic=entry.topic,
                suggested_level=entry.suggested_level,
            )
        )

    def count(self, event: StatEvent) -> int:
        query = select(func.count()).where(AnonymousStatistic.event == event.value)
        return self._session.scalar(query) or 0
