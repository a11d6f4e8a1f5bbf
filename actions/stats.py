"""Anonymous statistics from the actions: a day, an hour, a channel and categories only."""

from __future__ import annotations

from actions.services import get_services
from bot.domain.statistics import StatEntry, StatEvent
from bot.services.records import count


def record_stat(
    event: StatEvent, channel: str, topic: str | None = None, suggested_level: str | None = None
) -> None:
    services = get_services()
    entry = StatEntry(event, services.clock.now(), channel, topic, suggested_level)
    count(services.unit_of_work(), entry)
