"""The local authority's service facts: numbers, links, hours and periods a reply may quote.

Plain frozen dataclasses. Reading and checking the YAML service file is
bot.adapters.service_file's job; by the time a ServiceFacts exists, every number is a valid UK
number, every link https, every time zone and bank-holiday calendar known.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from datetime import time
from typing import Any


@dataclass(frozen=True)
class PhoneFact:
    number: str
    source: str
    extension: str | None = None
    confirm_before_live: bool = False


@dataclass(frozen=True)
class UrlFact:
    value: str
    source: str
    confirm_before_live: bool = False


@dataclass(frozen=True)
class CouncilFacts:
    name: str
    service_name: str
    partnership: str


@dataclass(frozen=True)
class BankHolidayCalendar:
    country: str
    subdiv: str | None = None


@dataclass(frozen=True)
class LineFacts:
    opens: time
    closes: time
    weekdays: tuple[str, ...]
    bank_holidays: BankHolidayCalendar
    phone: PhoneFact
    # The section's other facts (not numbers or links) the council must confirm before going
    # live, by field name, e.g. ("bank_holidays",).
    confirm_before_live: tuple[str, ...] = ()


@dataclass(frozen=True)
class IrtFacts:
    phone: PhoneFact
    opens: time
    closes: time
    decision_working_days: int
    telephone_referral_followup_hours: int
    confirm_before_live: tuple[str, ...] = ()


@dataclass(frozen=True)
class NamedPhoneFacts:
    name: str
    phone: PhoneFact
    # When the service answers, in words (the out-of-hours service's cover).
    hours: str | None = None
    confirm_before_live: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmergencyFacts:
    phone: PhoneFact


@dataclass(frozen=True)
class OnlineReferralFormFacts:
    url: UrlFact


@dataclass(frozen=True)
class DhcftFacts:
    name: str
    advice_line: PhoneFact
    advice_line_opens: time
    advice_line_closes: time
    safeguarding_unit: PhoneFact


@dataclass(frozen=True)
class AdultsFacts:
    team: str
    phone: PhoneFact


@dataclass(frozen=True)
class DomesticAbuseFacts:
    high_risk_notified_within: str
    medium_risk_notified_within: str
    standard_reviewed_within: str


@dataclass(frozen=True)
class EscalationFacts:
    # The partnership's Resolving Multi Agency Professional Disagreements and Escalation Policy.
    policy: UrlFact


@dataclass(frozen=True)
class ServiceFacts:
    council: CouncilFacts
    timezone: str
    line: LineFacts
    irt: IrtFacts
    out_of_hours: NamedPhoneFacts
    emergency: EmergencyFacts
    online_referral_form: OnlineReferralFormFacts
    dhcft: DhcftFacts
    adults: AdultsFacts
    domestic_abuse: DomesticAbuseFacts
    # The front door for a child who lives outside the city (Derbyshire County Council's).
    county_front_door: NamedPhoneFacts
    escalation: EscalationFacts

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def unconfirmed(self) -> list[str]:
        """Dotted paths of the facts the council must confirm before the service goes live:
        the numbers and links first, then the other facts (hours, periods, names) flagged in
        their section."""
        sourced = [path for path, fact in sourced_facts(self) if fact.confirm_before_live]
        return sourced + list(flagged_fields(self))

    def all_phone_numbers(self) -> set[str]:
        """Every telephone number in the file, as written there (extensions not included)."""
        return {fact.number for _, fact in sourced_facts(self) if isinstance(fact, PhoneFact)}

    def all_urls(self) -> set[str]:
        """Every link in the file, as written there."""
        return {fact.value for _, fact in sourced_facts(self) if isinstance(fact, UrlFact)}


def flagged_fields(facts: Any, prefix: str = "") -> Iterator[str]:
    """The dotted paths of the non-phone facts a section flags as confirm_before_live."""
    for f in fields(facts):
        value = getattr(facts, f.name)
        if f.name == "confirm_before_live" and isinstance(value, tuple):
            yield from (f"{prefix}{name}" for name in value)
        elif is_dataclass(value) and not isinstance(value, PhoneFact | UrlFact):
            yield from flagged_fields(value, f"{prefix}{f.name}.")


def sourced_facts(facts: Any, prefix: str = "") -> Iterator[tuple[str, PhoneFact | UrlFact]]:
    """Every phone number and link, with its dotted path."""
    # Walking the facts (rather than listing fields by hand) means a number added to the file
    # later is covered by unconfirmed() and the "only numbers from the file" check for free.
    for f in fields(facts):
        value = getattr(facts, f.name)
        path = f"{prefix}{f.name}"
        if isinstance(value, PhoneFact | UrlFact):
            yield path, value
        elif is_dataclass(value):
            yield from sourced_facts(value, f"{path}.")
