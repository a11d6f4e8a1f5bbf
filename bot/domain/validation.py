"""Parsers for what a caller types: each returns a normalised value, or None / a polite question.

They take anything a chat or SMS can deliver (empty, huge, control characters, emoji, RTL
text) and never raise, because a parser failing must lead to asking again, not to an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import phonenumbers
from email_validator import validate_email

# --- free text -------------------------------------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n|[\r\u0085\u2028\u2029]")
# Bidi embedding, override and isolate controls can make text on the staff pages read
# differently from what was stored ("Trojan Source"); ordinary RTL text does not need them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Whitespace can only shrink text so much; past this, input is cut before any work on it.
_WORK_FACTOR = 8


def _is_unwanted(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":
        return char not in "\n\t"
    # Lone surrogates (Cs) cannot be encoded, so would fail later in the database or a log.
    return category == "Cs" or char in _BIDI_CONTROLS


def clean_text(text: str | None, max_chars: int = 2000) -> str:
    """Safe, tidy text: no control characters, NFC, single spaces, at most one blank line."""
    if not isinstance(text, str) or max_chars <= 0:
        return ""
    text = text[: max(max_chars * _WORK_FACTOR, 1024)]
    text = _LINE_BREAKS.sub("\n", text)
    text = "".join(char for char in text if not _is_unwanted(char))
    text = unicodedata.normalize("NFC", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text[:max_chars].rstrip()


# A message starting with "/" is an intent to Rasa, not text ("/intent{json}" with entities):
# the project's buttons send "/" and an intent's name. Rasa logs a caller's whole message when
# it cannot read one as such, and would take their words as entities when it can.
_PAYLOAD_PREFIX = re.compile(r"^[\s/]+")


def for_the_assistant(text: str, intents: Collection[str]) -> str:
    """Text as the assistant should read it: a button's payload ("/" and one of the domain's
    `intents`) as it is; anything else that starts with "/" without its leading slashes."""
    if text.startswith("/") and text[1:] not in intents:
        return _PAYLOAD_PREFIX.sub("", text)
    return text


# --- telephone numbers -----------------------------------------------------------------------

# +44 covers the Channel Islands and the Isle of Man too; a caller there is reachable as a
# UK number, so they are accepted along with GB.
_UK_REGIONS = frozenset({"GB", "GG", "JE", "IM"})
# Ofcom's drama ranges are unallocated, so is_valid_number() refuses them, yet tests and
# training data must use them so that no real person is ever rung.
_OFCOM_DRAMA = re.compile(r"7700900\d{3}|1632960\d{3}")
_DIALLABLE = re.compile(r"[0-9+()\-. ]+(?:\s*(?:ext\.?|extension|x)\s*[0-9]{1,6})?", re.IGNORECASE)
_PHONE_MAX_CHARS = 200


def _acceptable_uk_number(number: phonenumbers.PhoneNumber) -> bool:
    if number.country_code != 44:
        return False
    national = phonenumbers.national_significant_number(number)
    if _OFCOM_DRAMA.fullmatch(national):
        return True
    # is_valid_number, not is_possible_number: "possible" only checks the length, so a
    # mistyped digit in a prefix would be accepted and the IRT could not call back.
    return (
        phonenumbers.is_valid_number(number)
        and phonenumbers.region_code_for_number(number) in _UK_REGIONS
    )


def _national_format(number: phonenumbers.PhoneNumber) -> str:
    # Written the way the service file writes its own numbers ("01332 623700 ext 31537"),
    # not phonenumbers' " x31537".
    bare = phonenumbers.PhoneNumber()
    bare.merge_from(number)
    bare.extension = None
    text = phonenumbers.format_number(bare, phonenumbers.PhoneNumberFormat.NATIONAL)
    return f"{text} ext {number.extension}" if number.extension else text


def _candidates(text: str) -> list[phonenumbers.PhoneNumber]:
    if _DIALLABLE.fullmatch(text):
        try:
            return [phonenumbers.parse(text, "GB")]
        except phonenumbers.NumberParseException:
            return []
    # parse() would read letters in a sentence as a keypad "vanity" number, so a sentence is
    # searched for numbers instead.
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    return [match.number for match in matcher]


def parse_uk_phone(text: str | None) -> str | None:
    """A UK number, alone or in a short sentence, in national format ("07700 900123")."""
    cleaned = clean_text(text, _PHONE_MAX_CHARS + 1)
    if not cleaned or len(cleaned) > _PHONE_MAX_CHARS:
        return None
    try:
        numbers = [n for n in _candidates(cleaned) if _acceptable_uk_number(n)]
        if len(numbers) != 1:
            # Two numbers in one answer: which to ring back is the caller's choice, not ours.
            return None
        return _national_format(numbers[0])
    except Exception:
        # An edge case inside the library must still mean "ask again", never a crash.
        return None


# --- email -----------------------------------------------------------------------------------

_EMAIL_MAX_CHARS = 320


def parse_email(text: str | None) -> str | None:
    """An email address, normalised (domain lower-cased); deliverability is not checked."""
    cleaned = clean_text(text, _EMAIL_MAX_CHARS + 1)
    if not cleaned or len(cleaned) > _EMAIL_MAX_CHARS:
        return None
    # People end a sentence with a full stop, and "mailto:" comes with pasted links.
    candidate = cleaned.removeprefix("mailto:").rstrip(".").strip("<>")
    try:
        return validate_email(candidate, check_deliverability=False).normalized
    except Exception:
        # EmailNotValidError, or an edge case inside the library: either way, ask again.
        return None


# --- postcodes -------------------------------------------------------------------------------

# The Royal Mail pattern for a full postcode (outward code, then inward code).
_OUTWARD = r"(?:GIR|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW]))"
_INWARD = r"(?:[0-9][ABD-HJLNP-UW-Z]{2})"
_POSTCODE = re.compile(rf"({_OUTWARD}) ?({_INWARD})", re.ASCII)
_POSTCODE_IN_TEXT = re.compile(rf"(?<![A-Z0-9])({_OUTWARD}) ?({_INWARD})(?![A-Z0-9])", re.ASCII)
_POSTCODE_MAX_CHARS = 20
_ADDRESS_MAX_CHARS = 500


def parse_postcode(text: str | None) -> str | None:
    """A full UK postcode on its own, as "DE1 2AB"."""
    cleaned = clean_text(text, _POSTCODE_MAX_CHARS + 1)
    if not cleaned or len(cleaned) > _POSTCODE_MAX_CHARS:
        return None
    match = _POSTCODE.fullmatch("".join(cleaned.upper().split()))
    return f"{match.group(1)} {match.group(2)}" if match else None


def find_postcode(text: str | None) -> str | None:
    """The postcode in an address line, as "DE1 2AB"; the last one if several."""
    cleaned = clean_text(text, _ADDRESS_MAX_CHARS)
    matches = list(_POSTCODE_IN_TEXT.finditer(cleaned.upper()))
    return f"{matches[-1].group(1)} {matches[-1].group(2)}" if matches else None


# --- a child's date of birth or age ----------------------------------------------------------

ADULT_AGE = 18
_DOB_MAX_CHARS = 100

ASK_DOB = "Please give the child's date of birth, or their age if you don't know it."
# Said before the form asks for the date of birth again, so none of them repeats the question.
NOT_UNDERSTOOD = (
    "Sorry, I didn't recognise that as a date of birth or an age, for example 3/4/2015 or "
    '"aged 7".'
)
NOT_A_DATE = "That date doesn't exist."
IN_THE_FUTURE = 'That date is in the future. If the baby is not born yet, say "unborn".'
ADULT = (
    "That would make them 18 or over; this line is for children and young people under 18. "
    "If your concern is about an adult, tell me and I'll give you the right team."
)
NEED_FULL_DATE = (
    "Please give the day, month and year, for example 3/4/2015. "
    "If you don't know the full date, their age is fine."
)


@dataclass(frozen=True)
class DobResult:
    """What parse_child_dob understood; `problem` is the question to ask again, if any."""

    date_of_birth: date | None = None
    age_years: int | None = None
    problem: str | None = None
    unborn: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        (
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        )
    )
}
_MONTH_NAME = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4}|\d{2})"
_SEP = r"[/.\-\s]"

# The date and age patterns are ASCII-only so that \d, \s and \b mean exactly what they say.
_UNBORN = re.compile(
    r"\b(unborn|pre-?birth|not (?:yet )?born|pregnan\w*|expect(?:ed|ing)|due|edd)\b", re.ASCII
)
# The look-arounds refuse a date that is part of a longer run such as 3/4/2015/12.
_NUMERIC_DATE = re.compile(
    rf"(?<!\d)(?<!\d[/.\-])(\d{{1,2}}){_SEP}+(\d{{1,2}}){_SEP}+{_YEAR}(?![/.\-]?\d)", re.ASCII
)
_ISO_DATE = re.compile(r"(?<!\d)(?<!\d-)(\d{4})-(\d{1,2})-(\d{1,2})(?!-?\d)", re.ASCII)
_COMPACT_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})", re.ASCII)
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d){_DAY}\s*(?:of\s+)?{_MONTH_NAME}[\s,/\-]*{_YEAR}(?!\d)", re.ASCII
)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH_NAME}\s+{_DAY},?\s+{_YEAR}(?!\d)", re.ASCII)
# A month with a year, a day with a month, or 3/4: a date with a part missing.
_PARTIAL_DATE = re.compile(
    rf"\b{_MONTH_NAME}\s+\d{{4}}\b|(?<!\d){_DAY}\s*(?:of\s+)?{_MONTH_NAME}\b"
    rf"|\b{_MONTH_NAME}\s+{_DAY}\b|(?<!\d)\d{{1,2}}/\d{{1,2}}(?!\d)",
    re.ASCII,
)
_FILLER = re.compile(
    r"^(?:(?:he|she|they|the child|child)(?:'s| is| are)?\s+)?"
    r"(?:(?:about|around|approx\.?|approximately|roughly|nearly|almost)\s+)?",
    re.ASCII,
)
_AGE_IN_YEARS = re.compile(
    r"(?:aged?\s*:?\s*)?(\d{1,3}|[a-z]+)\s*(?:-?\s*(?:years?|yrs?|y/?o|y)(?:\s*-?\s*old)?)?",
    re.ASCII,
)
_AGE_IN_SMALL_UNITS = re.compile(
    r"(?:aged?\s*:?\s*)?(\d{1,3}|[a-z]+)\s*-?\s*"
    r"(months?|mths?|mos?|weeks?|wks?|days?)(?:\s*-?\s*old)?",
    re.ASCII,
)
_NEWBORN = re.compile(r"\b(new\s*-?\s*born|newly born|neonate)\b", re.ASCII)
_DAYS_PER_UNIT = {"m": 30.44, "w": 7, "d": 1}


def _age_on(today: date, born: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _full_year(year_text: str, today: date) -> int:
    year = int(year_text)
    if len(year_text) == 4:
        return year
    # A two-digit year is the most recent year ending in those digits: "15" is 2015.
    century = today.year - today.year % 100
    return century + year if century + year <= today.year else century - 100 + year


def _checked_dob(day: int, month: int, year: int, today: date) -> DobResult:
    try:
        born = date(year, month, day)
    except ValueError:
        return DobResult(problem=NOT_A_DATE)
    if born > today:
        return DobResult(problem=IN_THE_FUTURE)
    age = _age_on(today, born)
    if age >= ADULT_AGE:
        return DobResult(problem=ADULT)
    return DobResult(date_of_birth=born, age_years=age)


def _find_date(text: str, today: date) -> DobResult | None:
    if match := _ISO_DATE.search(text):
        year, month, day = (int(part) for part in match.groups())
        return _checked_dob(day, month, year, today)
    if match := _NUMERIC_DATE.search(text):
        day, month = int(match.group(1)), int(match.group(2))
        return _checked_dob(day, month, _full_year(match.group(3), today), today)
    if match := _DAY_MONTH_YEAR.search(text):
        day, month = int(match.group(1)), _MONTHS[match.group(2)]
        return _checked_dob(day, month, _full_year(match.group(3), today), today)
    if match := _MONTH_DAY_YEAR.search(text):
        day, month = int(match.group(2)), _MONTHS[match.group(1)]
        return _checked_dob(day, month, _full_year(match.group(3), today), today)
    if match := _COMPACT_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return _checked_dob(day, month, year, today)
    return None


def _number(text: str) -> int | None:
    if text.isascii() and text.isdigit():
        return int(text)
    return _NUMBER_WORDS.get(text)


def _checked_age(years: int) -> DobResult:
    if years >= ADULT_AGE:
        return DobResult(problem=ADULT)
    return DobResult(age_years=years)


def _find_age(text: str) -> DobResult | None:
    text = _FILLER.sub("", text).strip()
    if match := _AGE_IN_SMALL_UNITS.fullmatch(text):
        count = _number(match.group(1))
        if count is None:
            return None
        days = count * _DAYS_PER_UNIT[match.group(2)[0]]
        return _checked_age(int(days // 365.25))
    if match := _AGE_IN_YEARS.fullmatch(text):
        years = _number(match.group(1))
        if years is None or years > 120:
            return None
        return _checked_age(years)
    return None


def parse_child_dob(text: str | None, today: date) -> DobResult:
    """A child's date of birth (UK day-first order) or age, or why it needs asking again."""
    cleaned = clean_text(text, _DOB_MAX_CHARS + 1)
    if not cleaned:
        return DobResult(problem=ASK_DOB)
    if len(cleaned) > _DOB_MAX_CHARS:
        return DobResult(problem=NOT_UNDERSTOOD)
    # NFKC turns full-width digits and similar look-alikes into the ASCII the patterns expect.
    lowered = unicodedata.normalize("NFKC", cleaned).lower().replace("\u2019", "'").strip(" .!")
    if _UNBORN.search(lowered):
        return DobResult(unborn=True)
    if _NEWBORN.search(lowered):
        return DobResult(age_years=0)
    found = _find_date(lowered, today) or _find_age(lowered)
    if found is None and _PARTIAL_DATE.search(lowered):
        return DobResult(problem=NEED_FULL_DATE)
    return found or DobResult(problem=NOT_UNDERSTOOD)


def find_email(text: str | None) -> str | None:
    """The one email address inside a sentence ("email me at jo@example.org please")."""
    words = (word.strip(".,;:()<>\"'") for word in (text or "")[: _EMAIL_MAX_CHARS * 4].split())
    found = [email for word in words if "@" in word and (email := parse_email(word))]
    return found[0] if len(found) == 1 else None
