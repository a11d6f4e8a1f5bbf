"""The queue's filters (status, channel, significant harm, dates, waiting longer than the IRT's
decision time), shared by the queue page, its CSV export and the JSON API, so that an export
holds exactly what the page shows. The page's dates come from GOV.UK date inputs (day, month
and year fields, `date_from-day` ...); links and older bookmarks may give `date_from=YYYY-MM-DD`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from api.irt_pages import CHANNEL_LABELS, STATUS_LABELS
from bot.domain.contact import ContactSelection
from bot.domain.triage import AWAITING_DECISION

OPEN = "open"
ALL = "all"
# Open: nothing final has been decided yet.
OPEN_STATUSES = tuple(sorted(AWAITING_DECISION, key=["new", "in_review", "passed_to_irt"].index))
DATE_PARTS = ("day", "month", "year")
DATE_LABELS = {"date_from": "Received from", "date_to": "Received to"}
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
    overdue: bool = False  # only those waiting longer than the IRT's decision time
    errors: dict[str, str] = field(default_factory=dict, compare=False)
    # What was typed in each date's fields (shown again), and which fields an error is about.
    typed: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    parts_in_error: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

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
        typed: dict[str, dict[str, str]] = {}
        parts_in_error: dict[str, tuple[str, ...]] = {}
        dates = {name: _date(params, name, errors, typed, parts_in_error) for name in DATE_LABELS}
        date_from, date_to = dates["date_from"], dates["date_to"]
        if date_from and date_to and date_to < date_from:
            errors["date_to"] = "Received to must be the same as or after received from"
            parts_in_error["date_to"] = DATE_PARTS
            date_to = None
        overdue = params.get("overdue", "") == "yes"
        return cls(
            status, channel, harm, date_from, date_to, overdue, errors, typed, parts_in_error
        )

    def error_href(self, name: str) -> str:
        """Where an error summary's link goes: the field, or a date's first wrong field."""
        parts = self.parts_in_error.get(name)
        return f"#{name}-{parts[0]}" if parts else f"#{name}"

    def date_items(self, name: str) -> list[dict[str, Any]]:
        """The GOV.UK date input's items for one date: what was typed (or the date), with the
        error colour on the fields an error is about."""
        value: date | None = getattr(self, name)
        typed = self.typed.get(name) or (
            {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
            if value
            else {}
        )
        wrong = self.parts_in_error.get(name, ())
        return [
            {
                "name": part,
                "label": part.capitalize(),
                "value": typed.get(part, ""),
                "classes": ("govuk-input--width-4" if part == "year" else "govuk-input--width-2")
                + (" govuk-input--error" if part in wrong else ""),
            }
            for part in DATE_PARTS
        ]

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
        return ContactSelection(**arguments, overdue=self.overdue)

    def as_query(self) -> str:
        values = {
            "status": self.status,
            "channel": self.channel,
            "significant_harm": self.significant_harm,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "overdue": "yes" if self.overdue else "",
        }
        return urlencode({k: v for k, v in values.items() if v})

    def audit_detail(self) -> dict[str, str]:
        values = asdict(self)
        for name in ("errors", "typed", "parts_in_error"):
            values.pop(name)
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v}


def _date(
    params: Mapping[str, str],
    name: str,
    errors: dict[str, str],
    typed: dict[str, dict[str, str]],
    parts_in_error: dict[str, tuple[str, ...]],
) -> date | None:
    """One date from its three fields (or from `name=YYYY-MM-DD`), in the GOV.UK pattern's
    words when it cannot be used."""
    label = DATE_LABELS[name]
    fields = {part: params.get(f"{name}-{part}", "").strip() for part in DATE_PARTS}
    if any(fields.values()):
        typed[name] = fields
        problem = _date_problem(label, fields)
    else:
        text = params.get(name, "").strip()
        if not text:
            return None
        problem = None
        try:
            return date.fromisoformat(text)
        except ValueError:
            problem = (f"{label} must be a real date, for example 26 11 2026", DATE_PARTS)
    if problem is None:
        try:
            return date(int(fields["year"]), int(fields["month"]), int(fields["day"]))
        except ValueError:
            problem = (f"{label} must be a real date", DATE_PARTS)
    errors[name], parts_in_error[name] = problem
    return None


def _date_problem(label: str, fields: dict[str, str]) -> tuple[str, tuple[str, ...]] | None:
    """What is wrong with a date's fields before making a date of them: the message and the
    fields it is about."""
    missing = tuple(part for part in DATE_PARTS if not fields[part])
    if missing:
        return f"{label} must include a {' and a '.join(missing)}", missing
    wrong = tuple(part for part in DATE_PARTS if not fields[part].isdigit())
    if wrong:
        return f"{label} must be a real date, in numbers, for example 26 11 2026", wrong
    if len(fields["year"]) != 4:
        return "Year must include 4 numbers", ("year",)
    return None
