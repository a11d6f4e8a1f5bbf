"""Parsing what callers type (§5.16): valid values normalised, anything else asked again."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from api.services import DOMAIN_FILE, domain_intents
from bot.domain.validation import (
    ADULT,
    IN_THE_FUTURE,
    NEED_FULL_DATE,
    NOT_A_DATE,
    DobResult,
    clean_text,
    find_postcode,
    for_the_assistant,
    parse_child_dob,
    parse_email,
    parse_postcode,
    parse_uk_phone,
)

TODAY = date(2026, 5, 12)

HOSTILE_INPUTS = [
    "",
    "   ",
    "\x00\x01\x02\x1b[31m",
    "<script>alert('x')</script>",
    "<b>07700</b> <i>900123</i>",
    "'; DROP TABLE contacts; --",
    "Robert'); DELETE FROM contacts WHERE ('1'='1",
    "😀" * 500,
    "👨‍👩‍👧‍👦🏳️‍🌈",
    "مرحبا، أريد المساعدة",
    "\u202eevil\u202c",
    "\ud800 lone surrogate",
    "x" * 100_000,
    "0" * 100_000,
    "1/" * 50_000,
    "@" * 100_000,
    "\n" * 100_000,
    "${jndi:ldap://example.invalid/a}",
    "%s%s%s%n",
    None,
]


def short_id(value: object) -> str:
    return repr(value)[:30]


# --- hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE_INPUTS, ids=short_id)
def test_hostile_input_is_refused_by_every_parser_without_raising(text: str) -> None:
    assert parse_uk_phone(text) is None
    assert parse_email(text) is None
    assert parse_postcode(text) is None
    assert find_postcode(text) is None
    result = parse_child_dob(text, TODAY)
    assert result.problem is not None
    assert (result.date_of_birth, result.age_years, result.unborn) == (None, None, False)


@pytest.mark.parametrize("text", HOSTILE_INPUTS, ids=short_id)
def test_hostile_input_is_cleaned_to_safe_short_text(text: str) -> None:
    cleaned = clean_text(text)
    assert len(cleaned) <= 2000
    assert not any(ord(char) < 32 and char not in "\n\t" for char in cleaned)
    cleaned.encode("utf-8")  # no lone surrogates left to break a database or a log


# --- clean_text ------------------------------------------------------------------------------


def test_clean_text_removes_control_characters_but_keeps_line_breaks() -> None:
    assert clean_text("a\x00b\x07c\nd") == "abc\nd"


def test_clean_text_collapses_runs_of_spaces_and_tabs() -> None:
    assert clean_text("  worried \t\t about   a  pupil \u00a0 ") == "worried about a pupil"


def test_clean_text_keeps_at_most_one_blank_line() -> None:
    assert clean_text("first\r\n\r\n\r\n\r\nsecond\rthird") == "first\n\nsecond\nthird"


def test_clean_text_normalises_to_nfc() -> None:
    assert clean_text("Zoe\u0301") == "Zo\u00e9"


def test_clean_text_removes_bidi_overrides_but_keeps_right_to_left_text() -> None:
    assert clean_text("\u202eabc\u202c مرحبا") == "abc مرحبا"


def test_clean_text_keeps_emoji_sequences_whole() -> None:
    family = "👨\u200d👩\u200d👧"
    assert clean_text(f"  {family}  ") == family


def test_clean_text_trims_to_the_limit() -> None:
    assert clean_text("word " * 1000, max_chars=12) == "word word wo"


# --- telephone numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07700 900123", "07700 900123"),
        ("07700900123", "07700 900123"),
        ("+44 7700 900123", "07700 900123"),
        ("+44 (0)7700 900123", "07700 900123"),
        ("0044 7700 900123", "07700 900123"),
        ("01332 641172", "01332 641172"),
        ("(01332) 641-172", "01332 641172"),
        ("020 7946 0000", "020 7946 0000"),
        ("01632 960123", "01632 960123"),
        ("01332 623700 ext 31537", "01332 623700 ext 31537"),
        ("my mobile is 07700 900123, thanks", "07700 900123"),
    ],
)
def test_uk_phone_numbers_are_accepted_in_national_format(text: str, expected: str) -> None:
    assert parse_uk_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "+1 202 555 0143",
        "+33 1 23 45 67 89",
        "999",
        "123",
        "01332 64117",
        "07700 9001234",
        "0770 090 012",
        "phone me",
        "07700 900123 or 01332 641172",
        "O77OO 9OO123",
    ],
)
def test_non_uk_or_malformed_phone_numbers_are_refused(text: str) -> None:
    assert parse_uk_phone(text) is None


def test_letters_in_a_sentence_are_not_read_as_a_keypad_number() -> None:
    assert parse_uk_phone("call 0800 FLOWERS") is None


# --- email -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jo.bloggs@derby.gov.uk", "jo.bloggs@derby.gov.uk"),
        ("  Jo.Bloggs@Derby.GOV.UK  ", "Jo.Bloggs@derby.gov.uk"),
        ("jo.bloggs@nhs.net.", "jo.bloggs@nhs.net"),
        ("<dsl@school.derby.sch.uk>", "dsl@school.derby.sch.uk"),
        ("mailto:dsl@school.derby.sch.uk", "dsl@school.derby.sch.uk"),
    ],
)
def test_email_addresses_are_accepted_and_normalised(text: str, expected: str) -> None:
    assert parse_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "jo",
        "jo@",
        "@derby.gov.uk",
        "jo@localhost",
        "jo bloggs@derby.gov.uk",
        "a@b@c.uk",
        "jo@derby",
    ],
)
def test_malformed_email_addresses_are_refused(text: str) -> None:
    assert parse_email(text) is None


# --- postcodes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DE1 2AB", "DE1 2AB"),
        ("de12ab", "DE1 2AB"),
        ("  de1   2ab ", "DE1 2AB"),
        ("DE22 3NE", "DE22 3NE"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("W1A 0AX", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
    ],
)
def test_full_postcodes_are_accepted_and_normalised(text: str, expected: str) -> None:
    assert parse_postcode(text) == expected


@pytest.mark.parametrize("text", ["DE1", "DE1 2", "12345", "QQ1 1AA", "DE1 2AB X", "DE1 2CI"])
def test_partial_or_impossible_postcodes_are_refused(text: str) -> None:
    assert parse_postcode(text) is None


def test_a_postcode_is_found_inside_an_address_line() -> None:
    assert find_postcode("12 Friar Gate, Derby de1 1fs, United Kingdom") == "DE1 1FS"


def test_the_last_postcode_in_an_address_is_taken() -> None:
    assert find_postcode("c/o DE1 2AB, now at 4 Main St, Derby DE22 3NE") == "DE22 3NE"


def test_an_address_without_a_postcode_has_none() -> None:
    assert find_postcode("4 Main Street, Derby") is None


def test_a_postcode_run_into_other_letters_is_not_found() -> None:
    assert find_postcode("ref XDE12ABX") is None


# --- a child's date of birth or age ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "03/04/2015",
        "3/4/2015",
        "3.4.15",
        "3-4-2015",
        "2015-04-03",
        "3 April 2015",
        "3rd Apr 2015",
        "3rd of April, 2015",
        "April 3, 2015",
        "03042015",
        "dob 03/04/2015",
    ],
)
def test_dates_of_birth_are_read_day_first(text: str) -> None:
    assert parse_child_dob(text, TODAY) == DobResult(date_of_birth=date(2015, 4, 3), age_years=11)


def test_the_age_turns_on_the_birthday() -> None:
    assert parse_child_dob("12/05/2016", TODAY).age_years == 10
    assert parse_child_dob("13/05/2016", TODAY).age_years == 9


def test_a_child_born_today_is_accepted() -> None:
    assert parse_child_dob("12/05/2026", TODAY) == DobResult(date_of_birth=TODAY, age_years=0)


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("7", 7),
        ("aged 7", 7),
        ("age: 7", 7),
        ("7 years old", 7),
        ("7 year old", 7),
        ("7yo", 7),
        ("7 y/o", 7),
        ("seven", 7),
        ("she's 7", 7),
        ("about 7", 7),
        ("17", 17),
        ("18 months", 1),
        ("6 weeks old", 0),
        ("newborn", 0),
        ("0", 0),
    ],
)
def test_an_age_is_accepted_when_the_date_of_birth_is_not_known(text: str, age: int) -> None:
    assert parse_child_dob(text, TODAY) == DobResult(age_years=age)


@pytest.mark.parametrize("text", ["unborn", "Pre-birth", "due in March", "she is pregnant"])
def test_an_unborn_child_is_valid_without_a_date_or_age(text: str) -> None:
    assert parse_child_dob(text, TODAY) == DobResult(unborn=True)


def test_a_future_date_is_asked_again() -> None:
    assert parse_child_dob("03/04/2027", TODAY).problem == IN_THE_FUTURE


def test_a_date_that_does_not_exist_is_asked_again() -> None:
    assert parse_child_dob("31/02/2015", TODAY).problem == NOT_A_DATE


@pytest.mark.parametrize("text", ["12/05/2008", "3/4/99", "18", "18 years old", "216 months"])
def test_someone_aged_18_or_over_is_not_a_child(text: str) -> None:
    result = parse_child_dob(text, TODAY)
    assert result.problem == ADULT
    assert result.problem.startswith("That would make them 18 or over; this line is for children")


def test_the_day_before_an_18th_birthday_is_still_a_child() -> None:
    assert parse_child_dob("13/05/2008", TODAY).age_years == 17


@pytest.mark.parametrize("text", ["3 April", "April 2015", "3/4"])
def test_a_date_with_a_part_missing_asks_for_the_full_date(text: str) -> None:
    assert parse_child_dob(text, TODAY).problem == NEED_FULL_DATE


@pytest.mark.parametrize("text", ["", "no idea", "?", "3/4/2015/12", "200"])
def test_an_answer_that_is_not_a_date_or_age_is_asked_again_politely(text: str) -> None:
    result = parse_child_dob(text, TODAY)
    assert result.problem is not None
    # The form asks the question again, so the problem says only what to change.
    assert "?" not in result.problem
    assert result.problem.endswith(".")
    assert not result.ok


# --- what reaches Rasa: a button's payload, or text -------------------------------------------

INTENTS = domain_intents()


def _button_payloads() -> list[str]:
    responses = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]
    return [
        button["payload"]
        for variants in responses.values()
        for variant in variants
        for button in variant.get("buttons") or []
    ]


@pytest.mark.parametrize("payload", [*_button_payloads(), "/affirm", "/deny"])
def test_every_buttons_payload_reaches_the_assistant_as_it_is(payload: str) -> None:
    assert for_the_assistant(payload, INTENTS) == payload


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ('/greet{"caller_name": "<b>x</b>"}', 'greet{"caller_name": "<b>x</b>"}'),
        ("/affirm@0.1", "affirm@0.1"),
        ("/hello there", "hello there"),
        ("/etc/passwd", "etc/passwd"),
        ("/ / professional", "professional"),
        ("///", ""),
        ("and/or", "and/or"),
        ("Amy Jones", "Amy Jones"),
    ],
)
def test_other_text_starting_with_a_slash_is_never_read_as_an_intent(typed: str, read: str) -> None:
    assert for_the_assistant(typed, INTENTS) == read
