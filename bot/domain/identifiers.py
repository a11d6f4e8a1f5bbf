"""Does a "scenario" identify a real child (SPEC rule 5)? A name, a date of birth, an address
or "one of my pupils" turns it into a recorded contact, after the caller is told so."""

from __future__ import annotations

import re
from datetime import date

from bot.domain.validation import find_postcode, parse_child_dob, parse_email, parse_uk_phone

_SPECIFIC_CHILD = re.compile(
    r"\b(one of my (pupils|students|children|kids|families|patients|clients|cases)|"
    r"(a|one) (pupil|student|child|boy|girl) (in|from) my (class|form|group|school|setting)|"
    r"on my (caseload|case load|list)|my pupil|my student|my patient|(in|from) my class)\b",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"\b(?:called|named|name is|name's|goes by)\s+([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)"
    r"|\b([A-Z][a-z]+ [A-Z][a-z]{2,}) \((?:\d|aged|age|dob)",
)
_ADDRESS = re.compile(
    r"\b\d{1,4}[a-z]? [A-Z][a-z]+ "
    r"(Road|Street|Avenue|Lane|Close|Drive|Way|Crescent|Court|Grove|Place)\b"
)
_FULL_DATE = re.compile(
    r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b|\b\d{1,2}(st|nd|rd|th)? [A-Z][a-z]+ \d{4}\b"
)


def identifying_details(text: str, today: date) -> tuple[str, ...]:
    """The kinds of identifying detail found, in plain words; empty when none."""
    found = []
    if _NAME.search(text):
        found.append("a name")
    date_match = _FULL_DATE.search(text)
    if date_match and parse_child_dob(date_match.group(0), today).date_of_birth:
        found.append("a date of birth")
    if find_postcode(text) or _ADDRESS.search(text):
        found.append("an address")
    if parse_uk_phone(text) or any(parse_email(word) for word in text.split() if "@" in word):
        found.append("contact details")
    if _SPECIFIC_CHILD.search(text):
        found.append("a specific child you work with")
    return tuple(found)
