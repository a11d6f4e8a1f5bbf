"""Reads the local authority's YAML service file, checks it at start-up and gives the plain
bot.domain.facts.ServiceFacts.

Numbers, links and hours that reach a professional must come from this file only, so a
mistake in it has to stop the service starting rather than reach a caller. The pydantic models
here are the file's schema; nothing outside this module sees them.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal

import holidays
import phonenumbers
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.domain import facts as domain

DEFAULT_FACTS_PATH = Path(__file__).parents[1] / "service" / "derby.yml"

# 999 is not in any numbering plan phonenumbers validates, yet it is the one number the
# assistant must always be able to give.
_EMERGENCY_NUMBERS = frozenset({"999"})
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_PERIOD = re.compile(r"[1-9]\d* (hours|days|working days)")
_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


class FactsError(ValueError):
    """The service file is missing, unreadable or wrong; the message names the file and field."""


def _quoted_string_only(value: Any) -> Any:
    # YAML reads an unquoted 01332641172 as an (octal!) integer and 10:00 as 600, so say how
    # to write it rather than report a confusing type error.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("quote_me", 'write this value in quotes, e.g. "10:00"')
    return value


def _parse_clock_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError("clock_time", 'expected a 24-hour time "HH:MM"')
    return time(int(match.group(1)), int(match.group(2)))


def _check_uk_number(value: str) -> str:
    if value in _EMERGENCY_NUMBERS:
        return value
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number_for_region(number, "GB"):
        raise PydanticCustomError("uk_phone", "not a valid UK telephone number")
    return value


def _check_https_url(value: str) -> str:
    try:
        url = _HTTP_URL.validate_python(value)
    except ValidationError:
        raise PydanticCustomError("url", "not a valid URL") from None
    if url.scheme != "https":
        raise PydanticCustomError("https_url", "links must use https")
    # The original text is kept so a reply quotes exactly what the council wrote.
    return value


def _check_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "timezone", "not a known time zone (e.g. Europe/London)"
        ) from None
    return value


def _check_period(value: str) -> str:
    if not _PERIOD.fullmatch(value):
        raise PydanticCustomError("period", 'expected e.g. "24 hours" or "3 days"')
    return value


# Before-validators run last-listed first, so the "quote it" check comes before parsing.
ClockTime = Annotated[
    time, BeforeValidator(_parse_clock_time), BeforeValidator(_quoted_string_only)
]
UkNumber = Annotated[str, AfterValidator(_check_uk_number), BeforeValidator(_quoted_string_only)]
HttpsUrl = Annotated[str, AfterValidator(_check_https_url)]
Text = Annotated[str, Field(min_length=1)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Period = Annotated[str, AfterValidator(_check_period)]


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PhoneFactFile(_Facts):
    number: UkNumber
    extension: Annotated[str, Field(pattern=r"^[0-9]{1,8}$")] | None = None
    source: Text
    confirm_before_live: bool = False


class _UrlFactFile(_Facts):
    value: HttpsUrl
    source: Text
    confirm_before_live: bool = False


class _OpeningTimes(_Facts):
    """Shared check for any section with an `opens` and a `closes` time."""

    @field_validator("closes", "advice_line_closes", check_fields=False)
    @classmethod
    def _closes_after_opening(cls, closes: time, info: ValidationInfo) -> time:
        opens_field = "advice_line_opens" if info.field_name == "advice_line_closes" else "opens"
        opens = info.data.get(opens_field)
        if opens is not None and not opens < closes:
            raise PydanticCustomError(
                "closes", "must be later than {opens}", {"opens": opens_field}
            )
        return closes


class _FlaggedFacts(_Facts):
    """A section whose other facts (hours, periods, names) may be flagged confirm_before_live,
    by field name; a name that is not one of the section's fields is refused."""

    @field_validator("confirm_before_live", check_fields=False)
    @classmethod
    def _flags_name_fields(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        known = set(cls.model_fields) - {"confirm_before_live"}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise PydanticCustomError(
                "flag", "not a field of this section: {unknown}", {"unknown": ", ".join(unknown)}
            )
        return names


class _CouncilFactsFile(_Facts):
    name: Text
    service_name: Text
    partnership: Text


class _BankHolidayCalendarFile(_Facts):
    country: Text
    subdiv: Text | None = None

    @model_validator(mode="after")
    def _calendar_exists(self) -> _BankHolidayCalendarFile:
        try:
            holidays.country_holidays(self.country, subdiv=self.subdiv)
        except NotImplementedError:
            raise PydanticCustomError(
                "calendar",
                "the holidays package has no calendar for {country}/{subdiv}",
                {"country": self.country, "subdiv": self.subdiv},
            ) from None
        return self


class _LineFactsFile(_OpeningTimes, _FlaggedFacts):
    opens: ClockTime
    closes: ClockTime
    weekdays: Annotated[tuple[Weekday, ...], Field(min_length=1)]
    bank_holidays: _BankHolidayCalendarFile
    phone: _PhoneFactFile
    confirm_before_live: tuple[str, ...] = ()

    @field_validator("weekdays")
    @classmethod
    def _no_repeated_days(cls, weekdays: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(weekdays)) != len(weekdays):
            raise PydanticCustomError("weekdays", "a day is listed twice")
        return weekdays


class _IrtFactsFile(_OpeningTimes, _FlaggedFacts):
    phone: _PhoneFactFile
    opens: ClockTime
    closes: ClockTime
    decision_working_days: Annotated[int, Field(strict=True, ge=1)]
    telephone_referral_followup_hours: Annotated[int, Field(strict=True, ge=1)]
    confirm_before_live: tuple[str, ...] = ()


class _NamedPhoneFactsFile(_FlaggedFacts):
    name: Text
    phone: _PhoneFactFile
    hours: Text | None = None
    confirm_before_live: tuple[str, ...] = ()


class _EmergencyFactsFile(_Facts):
    phone: _PhoneFactFile


class _OnlineReferralFormFactsFile(_Facts):
    url: _UrlFactFile


class _DhcftFactsFile(_OpeningTimes):
    name: Text
    advice_line: _PhoneFactFile
    advice_line_opens: ClockTime
    advice_line_closes: ClockTime
    safeguarding_unit: _PhoneFactFile


class _AdultsFactsFile(_Facts):
    team: Text
    phone: _PhoneFactFile


class _DomesticAbuseFactsFile(_Facts):
    high_risk_notified_within: Period
    medium_risk_notified_within: Period
    standard_reviewed_within: Period


class _EscalationFactsFile(_Facts):
    policy: _UrlFactFile


class _ServiceFactsFile(_Facts):
    council: _CouncilFactsFile
    timezone: Annotated[str, AfterValidator(_check_zone)]
    line: _LineFactsFile
    irt: _IrtFactsFile
    out_of_hours: _NamedPhoneFactsFile
    emergency: _EmergencyFactsFile
    online_referral_form: _OnlineReferralFormFactsFile
    dhcft: _DhcftFactsFile
    adults: _AdultsFactsFile
    domestic_abuse: _DomesticAbuseFactsFile
    county_front_door: _NamedPhoneFactsFile
    escalation: _EscalationFactsFile


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice (plain YAML silently keeps the last)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def _dotted(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "(top level)"


_FRIENDLY_MESSAGES = {"missing": "required field is missing", "extra_forbidden": "unknown field"}


def _describe(error: Any) -> str:
    return _FRIENDLY_MESSAGES.get(error["type"], error["msg"])


def _to_domain(value: Any) -> Any:
    # Each schema class _NameFile becomes the domain's dataclass Name, field by field.
    if isinstance(value, BaseModel):
        kind = getattr(domain, type(value).__name__.removeprefix("_").removesuffix("File"))
        fields = type(value).model_fields
        return kind(**{name: _to_domain(getattr(value, name)) for name in fields})
    return value


def load_facts(path: str | Path = DEFAULT_FACTS_PATH) -> domain.ServiceFacts:
    """Read and validate a service file; any problem raises FactsError naming file and field."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FactsError(f"{name}: service file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FactsError(f"{name}: cannot read the service file ({exc})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise FactsError(f"{name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise FactsError(f"{name}: the service file must be a YAML mapping of sections")
    try:
        checked = _ServiceFactsFile.model_validate(data)
    except ValidationError as exc:
        lines = [f"{name}: {_dotted(err['loc'])}: {_describe(err)}" for err in exc.errors()]
        raise FactsError("\n".join(lines)) from None
    return _to_domain(checked)
