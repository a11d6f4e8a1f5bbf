"""Anonymous statistics from the actions: a day, an hour, a channel and categories only."""

from __future__ import annotations

from actions.services import get_services
from bot.adapters.db.statistics import StatisticsRepository
from bot.domain.statistics import StatEntry, StatEvent


def record_stat(
    event: StatEvent, channel: str, topic: str | None = None, suggested_level: str | None = None
) -> None:
    services = get_services()
    with services.sessions.begin() as session:
        StatisticsRepository(session, timezone=services.facts.timezone).add(
            StatEntry(event, services.clock.now(), channel, topic, suggested_level)
        )
