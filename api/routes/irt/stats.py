"""The operational managers' statistics: `GET /irt/stats` (charts with a table beside each)
and `GET /irt/api/stats`, for a period of days (the last 30 by default). Anonymous counts and
contact times only, so reading them is not audited."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response

from api.charts import bar_chart
from api.deps import ServicesDep, StaffSessionDep
from api.irt_pages import page
from api.irt_schemas import StatsOut, stats_out
from api.problems import invalid_query
from api.routes.irt.contacts_api import AUTH_ERRORS
from api.services import AppServices
from bot.domain.reports import PeriodError, StatisticsReport, check_period
from bot.services.reports import statistics_report

pages = APIRouter(prefix="/irt", include_in_schema=False)
api = APIRouter(prefix="/irt/api", tags=["IRT: statistics"])

DEFAULT_DAYS = 30


def _today(services: AppServices) -> date:
    return services.clock.now().astimezone(ZoneInfo(services.facts.timezone)).date()


def _report(services: AppServices, first_day: date, last_day: date) -> StatisticsReport:
    return statistics_report(services.unit_of_work(), first_day, last_day)


def _period(services: AppServices, first: str, last: str) -> tuple[date, date, dict[str, str]]:
    """The period a page asked for; what it cannot use falls back to the default, with errors."""
    errors: dict[str, str] = {}
    today = _today(services)
    last_day = _parse(last, "to", errors) or today
    first_day = _parse(first, "from", errors) or last_day - timedelta(days=DEFAULT_DAYS - 1)
    try:
        check_period(first_day, last_day)
    except PeriodError as error:
        errors["from"] = f"Choose another period: {error}"
        last_day, first_day = today, today - timedelta(days=DEFAULT_DAYS - 1)
    return first_day, last_day, errors


def _parse(text: str, name: str, errors: dict[str, str]) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors[name] = f"Enter the '{name}' date as a real date, for example 2026-11-26"
        return None


def _minutes(total: int | None) -> str:
    if total is None:
        return "No decisions yet"
    hours, minutes = divmod(total, 60)
    days, hours = divmod(hours, 24)
    parts = [
        f"{days} day{'s' * (days != 1)}" if days else "",
        f"{hours} hour{'s' * (hours != 1)}" if hours else "",
        f"{minutes} minute{'s' * (minutes != 1)}" if minutes or not (days or hours) else "",
    ]
    return " ".join(p for p in parts if p)


@pages.get("/stats")
def stats_page(
    request: Request,
    services: ServicesDep,
    active: StaffSessionDep,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Response:
    first_day, last_day, errors = _period(services, first, last)
    report = _report(services, first_day, last_day)
    times = report.decision_times
    charts = [
        bar_chart("by-day", "Conversations started, by day", report.conversations_by_day),
        bar_chart(
            "by-channel", "Conversations started, by channel", report.conversations_by_channel
        ),
        bar_chart(
            "by-hour", "Conversations started, by hour of the day", report.conversations_by_hour
        ),
        bar_chart(
            "named-scenario",
            "Consultations finished: named child or scenario",
            report.named_or_scenario,
        ),
        bar_chart(
            "by-level",
            "Consultations finished, by suggested level of need",
            report.by_suggested_level,
        ),
        bar_chart(
            "closed", "Attempts while the line was closed, by day", report.closed_attempts_by_day
        ),
        bar_chart("decision-times", "Time from contact to the first decision", times.bands),
    ]
    return page(
        request,
        services,
        "irt/stats.html",
        active,
        report=report,
        charts=charts,
        errors=errors,
        first=first_day.isoformat(),
        last=last_day.isoformat(),
        median=_minutes(times.median_minutes),
        longest=_minutes(times.longest_minutes),
    )


@api.get("/stats", response_model=StatsOut, responses=AUTH_ERRORS)
def stats_api(
    services: ServicesDep,
    active: StaffSessionDep,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
) -> StatsOut:
    """The statistics page's numbers (local days, both ends included; the last 30 by default)."""
    last_day = last or _today(services)
    first_day = first or last_day - timedelta(days=DEFAULT_DAYS - 1)
    try:
        check_period(first_day, last_day)
    except PeriodError as error:
        raise invalid_query("from", str(error)) from None
    return stats_out(_report(services, first_day, last_day))
