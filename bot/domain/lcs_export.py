"""A selection of contacts as CSV, for the IRT to enter on Liquidlogic LCS (SPEC §6).

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return before
one of them) as a formula: OWASP's "CSV injection". Callers typed much of what is here, so
every such cell is written with a leading single quote, which the spreadsheet shows as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.contact import ContactView

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "Reference",
    "Received",
    "Channel",
    "Status",
    "Significant harm",
    "Immediate danger",
    "Harm categories",
    "Suggested level",
    "Reasons for the level",
    "Referrer name",
    "Referrer role",
    "Referrer agency",
    "Referrer address",
    "Referrer telephone",
    "Referrer email",
    "Child name",
    "Child date of birth",
    "Child age",
    "Unborn",
    "Child address",
    "Child school or setting",
    "Parents or carers",
    "Concern",
    "Family aware or consenting",
    "Reason shared without consent",
    "Threshold answers",
    "Advice given",
    "LCS reference",
    "Latest decision",
    "Latest decision by",
    "Latest decision at",
    "Latest decision rationale",
)


def safe_cell(value: str) -> str:
    """The text with a leading ' when a spreadsheet would otherwise read it as a formula."""
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def _local(at: datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""


def contact_row(contact: ContactView, zone: ZoneInfo) -> list[str]:
    caller, child = contact.caller, contact.child
    latest = contact.decisions[-1] if contact.decisions else None
    answers = "; ".join(f"{k}: {v}" for k, v in contact.threshold_answers.items())
    row = [
        contact.reference,
        _local(contact.created_at, zone),
        contact.channel,
        contact.status,
        _yes_no(contact.significant_harm),
        _yes_no(contact.immediate_danger),
        ", ".join(contact.harm_categories),
        contact.suggested_level or "",
        "; ".join(contact.level_reasons),
        caller.name or "",
        caller.role or "",
        caller.agency or "",
        caller.address or "",
        caller.phone or "",
        caller.email or "",
        child.name or "",
        child.date_of_birth.isoformat() if child.date_of_birth else "",
        str(child.age_years) if child.age_years is not None else "",
        _yes_no(child.unborn),
        child.address or "",
        child.setting or "",
        child.carers or "",
        contact.concern or "",
        contact.family_aware or "",
        contact.consent_reason or "",
        answers,
        contact.advice_given or "",
        contact.lcs_reference or "",
        latest.status if latest else "",
        latest.by if latest else "",
        _local(latest.at, zone) if latest else "",
        (latest.rationale or "") if latest else "",
    ]
    return [safe_cell(cell) for cell in row]


def contacts_csv(contacts: Iterable[ContactView], timezone: str) -> str:
    """The CSV text, a header row first. Times are local; every cell is formula-safe."""
    zone = ZoneInfo(timezone)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for contact in contacts:
        writer.writerow(contact_row(contact, zone))
    return buffer.getvalue()
