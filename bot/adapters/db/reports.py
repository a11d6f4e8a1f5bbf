"""The operational managers' numbers for a period (SPEC §1, §6): counted from the anonymous
statistics, and from the contacts' times only (never their content).

- conversations started, by day, by hour of the day and by channel;
- attempts while the line was closed (`closed_attempt`), by day;
- consultations finished, named child against scenario, and by suggested level of need;
- contacts recorded and flagged for significant harm;
- the time from a contact to its first manager decision.

A period is a range of local days (the service file's time zone), both ends included.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.models import AnonymousStatistic
from bot.domain.contact import ContactStatus
from bot.domain.levels import Level
from bot.domain.reports import (
    NO_LEVEL,
    Count,
    StatisticsReport,
    check_period,
    decision_times,
)
from bot.domain.statistics import CHANNELS, StatEvent


class StatisticsReports:
    def __init__(self, session: Session, contacts: ContactRepository, *, timezone: str) -> None:
        self._session = session
        self._contacts = contacts
        self._zone = ZoneInfo(timezone)

    def report(self, first_day: date, last_day: date) -> StatisticsReport:
        check_period(first_day, last_day)
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        started = self._by(StatEvent.CONVERSATION_STARTED, AnonymousStatistic.day, days)
        closed = self._by(StatEvent.CLOSED_ATTEMPT, AnonymousStatistic.day, days)
        by_hour = self._by(StatEvent.CONVERSATION_STARTED, AnonymousStatistic.hour, days)
        by_channel = self._by(StatEvent.CONVERSATION_STARTED, AnonymousStatistic.channel, days)
        named = self._total(StatEvent.NAMED_CHILD_CONTACT, days)
        scenario = self._total(StatEvent.SCENARIO_ADVICE, days)
        levels = self._levels(days)

        start, end = self._instants(first_day, last_day)
        # Erased contacts too: the contact happened, only its content is gone.
        recorded = self._contacts.list(
            statuses=list(ContactStatus), created_from=start, created_before=end
        )
        times = self._contacts.first_decision_times(start, end)
        return StatisticsReport(
            first_day=first_day,
            last_day=last_day,
            conversations=sum(started.values()),
            conversations_by_day=[Count(_day_label(d), started.get(d, 0)) for d in days],
            conversations_by_hour=[Count(f"{h:02d}:00", by_hour.get(h, 0)) for h in range(24)],
            conversations_by_channel=[
                Count(_CHANNEL_LABELS[c], by_channel.get(c, 0)) for c in CHANNELS
            ],
            closed_attempts=sum(closed.values()),
            closed_attempts_by_day=[Count(_day_label(d), closed.get(d, 0)) for d in days],
            named_or_scenario=[Count("Named child", named), Count("Scenario", scenario)],
            by_suggested_level=[
                *(Count(level.value, levels.get(level.value, 0)) for level in Level),
                *([Count(NO_LEVEL, levels[None])] if levels.get(None) else []),
            ],
            contacts_recorded=len(recorded),
            significant_harm_contacts=sum(1 for c in recorded if c.significant_harm),
            decision_times=decision_times(times),
        )

    def _instants(self, first_day: date, last_day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(first_day, time(0), tzinfo=self._zone)
        end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=self._zone)
        return start, end

    def _by(self, event: StatEvent, column: ColumnElement, days: list[date]) -> dict:
        query = (
            select(column, func.count(AnonymousStatistic.id))
            .where(
                AnonymousStatistic.event == event.value,
                AnonymousStatistic.day >= days[0],
                AnonymousStatistic.day <= days[-1],
            )
            .group_by(column)
        )
        return {key: count for key, count in self._session.execute(query)}

    def _total(self, event: StatEvent, days: list[date]) -> int:
        query = select(func.count(AnonymousStatistic.id)).where(
            AnonymousStatistic.event == event.value,
            AnonymousStatistic.day >= days[0],
            AnonymousStatistic.day <= days[-1],
        )
        return self._session.scalar(query) or 0

    def _levels(self, days: list[date]) -> dict[str | None, int]:
        finished = (StatEvent.NAMED_CHILD_CONTACT.value, StatEvent.SCENARIO_ADVICE.value)
        query = (
            select(AnonymousStatistic.suggested_level, func.count(AnonymousStatistic.id))
            .where(
                AnonymousStatistic.event.in_(finished),
                AnonymousStatistic.day >= days[0],
                AnonymousStatistic.day <= days[-1],
            )
            .group_by(AnonymousStatistic.suggested_level)
        )
        return {key: count for key, count in self._session.execute(query)}


_CHANNEL_LABELS = {"web": "Web chat", "sms": "SMS"}


def _day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
