"""The queue's filters (status, channel, significant harm, dates), shared by the queue page,
its CSV export and the JSON API, so that an export holds exactly what the page shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from api.irt_pages import CHANNEL_LABELS, STATUS_LABELS
from bot.domain.contact import ContactSelection

OPEN = "open"
ALL = "all"
# Open: nothing final has been decided yet.
OPEN_STATUSES = ("new", "in_review", "passed_to_irt")
STATUS_CHOICES = [
    (OPEN, "Open"),
    (ALL, "All except erased"),
    *STATUS_LABELS.items(),
]
CHANNEL_CHOICES = [("", "Any channel"), *CHANNEL_LABELS.items()]
HARM_CHOICES = [("", "Any"), ("yes", "Significant harm only"), ("no", "Without significant harm")]


@dataclass(frozen=True)
class ContactFilters:
    status: str = OPEN
    channel: str = ""
    significant_harm: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> ContactFilters:
        """Reads a page's query string; a value it cannot use is dropped, with an error."""
        errors: dict[str, str] = {}
        status = params.get("status", OPEN)
        if status not in dict(STATUS_CHOICES):
            errors["status"] = "Choose a status from the list"
            status = OPEN
        channel = params.get("channel", "")
        if channel not in dict(CHANNEL_CHOICES):
            errors["channel"] = "Choose a channel from the list"
            channel = ""
        harm = params.get("significant_harm", "")
        if harm not in dict(HARM_CHOICES):
            errors["significant_harm"] = "Choose significant harm or not from the list"
            harm = ""
        date_from = _date(params.get("date_from", ""), "date_from", "from", errors)
        date_to = _date(params.get("date_to", ""), "date_to", "to", errors)
        if date_from and date_to and date_to < date_from:
            errors["date_to"] = "The 'to' date must be the same as or after the 'from' date"
            date_to = None
        return cls(status, channel, harm, date_from, date_to, errors)

    def repository_arguments(self, timezone: str) -> dict[str, Any]:
        """Keyword arguments for ContactRepository.list."""
        zone = ZoneInfo(timezone)
        arguments: dict[str, Any] = {}
        if self.status == OPEN:
            arguments["statuses"] = OPEN_STATUSES
        elif self.status != ALL and self.status:
            arguments["status"] = self.status
        if self.channel:
            arguments["channel"] = self.channel
        if self.significant_harm:
            arguments["significant_harm"] = self.significant_harm == "yes"
        if self.date_from:
            arguments["created_from"] = datetime.combine(self.date_from, time(0), tzinfo=zone)
        if self.date_to:
            arguments["created_before"] = datetime.combine(
                self.date_to + timedelta(days=1), time(0), tzinfo=zone
            )
        return arguments

    def selection(self, timezone: str) -> ContactSelection:
        """The contacts these filters choose (`timezone`: the service file's, for the days)."""
        arguments = self.repository_arguments(timezone)
        if "statuses" in arguments:
            arguments["statuses"] = frozenset(arguments["statuses"])
        return ContactSelection(**arguments)

    def as_query(self) -> str:
        values = {
            "status": self.status,
            "channel": self.channel,
            "significant_harm": self.significant_harm,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return urlencode({k: v for k, v in values.items() if v})

    def audit_detail(self) -> dict[str, str]:
        values = asdict(self)
        values.pop("errors")
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v}


def _date(text: str, name: str, which: str, errors: dict[str, str]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"Enter the '{which}' date as a real date, for example 2026-11-26"
        return None
