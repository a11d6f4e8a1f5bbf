"""The service file loads, and a wrong one stops the service with a message naming the field."""

from __future__ import annotations

import dataclasses
from datetime import time
from pathlib import Path

import phonenumbers
import pytest

from bot.adapters.service_file import DEFAULT_FACTS_PATH, FactsError, load_facts
from bot.domain.facts import ServiceFacts
from tests.support.facts import EVERY_UNCONFIRMED

REAL_TEXT = DEFAULT_FACTS_PATH.read_text(encoding="utf-8")


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of derby.yml with one piece of text changed."""
    assert old in REAL_TEXT, f"test is out of date: {old!r} is not in derby.yml"
    path = tmp_path / "derby.yml"
    path.write_text(REAL_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(FactsError) as caught:
        load_facts(path)
    return str(caught.value)


@pytest.fixture(scope="module")
def facts() -> ServiceFacts:
    return load_facts()


def test_the_default_path_is_the_derby_file_next_to_the_module() -> None:
    assert DEFAULT_FACTS_PATH.name == "derby.yml"
    assert DEFAULT_FACTS_PATH.parent.parent == Path(__file__).parents[2] / "bot"


def test_the_real_derby_file_loads_with_the_framework_hours(facts: ServiceFacts) -> None:
    assert facts.timezone == "Europe/London"
    assert (facts.line.opens, facts.line.closes) == (time(10, 0), time(16, 0))
    assert facts.line.weekdays == ("mon", "tue", "wed", "thu", "fri")
    assert (facts.irt.opens, facts.irt.closes) == (time(9, 0), time(17, 0))
    assert facts.irt.phone.number == "01332 641172"
    assert facts.dhcft.safeguarding_unit.extension == "31537"


def test_the_facts_cannot_be_changed_once_loaded(facts: ServiceFacts) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.irt.phone.number = "01332 000000"  # type: ignore[misc]


def test_facts_not_in_the_framework_are_listed_as_unconfirmed(facts: ServiceFacts) -> None:
    assert facts.unconfirmed() == EVERY_UNCONFIRMED


def test_every_phone_number_in_the_file_is_listed(facts: ServiceFacts) -> None:
    assert facts.all_phone_numbers() == {
        "07812 300329",
        "01332 641172",
        "01332 956606",
        "999",
        "01332 640515",
        "01332 623700",
        "01332 640777",
        "01629 533190",
    }


def test_every_number_is_written_the_way_the_caller_validator_writes_numbers(
    facts: ServiceFacts,
) -> None:
    # Replies quote numbers from the file; one spelling makes "is this number in the file?" exact.
    for number in facts.all_phone_numbers() - {"999"}:
        parsed = phonenumbers.parse(number, "GB")
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        assert number == national


def test_every_link_in_the_file_is_listed(facts: ServiceFacts) -> None:
    assert facts.all_urls() == {
        "https://www.derby.gov.uk/health-and-social-care/keeping-safe/worried-about-a-child/",
        "https://derbyshirescbs.proceduresonline.com/",
    }


def test_a_bad_phone_number_is_reported_with_its_file_and_field(tmp_path: Path) -> None:
    path = write_variant(tmp_path, '"01332 641172"', '"01332 64117"')
    assert load_error(path) == f"{path}: irt.phone.number: not a valid UK telephone number"


def test_a_foreign_phone_number_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, '"01332 956606"', '"+1 202 555 0143"')
    assert "out_of_hours.phone.number: not a valid UK telephone number" in load_error(path)


def test_an_unquoted_phone_number_is_refused_with_advice_to_quote_it(tmp_path: Path) -> None:
    path = write_variant(tmp_path, '"01332 640777"', "01332640777")
    assert "adults.phone.number: write this value in quotes" in load_error(path)


def test_an_extension_with_letters_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'extension: "31537"', 'extension: "ext31537"')
    assert "dhcft.safeguarding_unit.extension:" in load_error(path)


def test_a_bad_time_is_reported_with_its_field(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'opens: "10:00"', 'opens: "25:00"')
    assert load_error(path) == f'{path}: line.opens: expected a 24-hour time "HH:MM"'


def test_an_unquoted_time_is_refused_because_yaml_reads_it_as_a_number(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'opens: "10:00"', "opens: 10:00")
    assert "line.opens: write this value in quotes" in load_error(path)


def test_a_closing_time_before_the_opening_time_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'closes: "16:00"', 'closes: "09:30"')
    assert "line.closes: must be later than opens" in load_error(path)


def test_an_unknown_key_is_reported_as_an_unknown_field(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'closes: "16:00"', 'closes: "16:00"\n  fax: "01332 000000"')
    assert load_error(path) == f"{path}: line.fax: unknown field"


def test_a_missing_field_is_reported_as_missing(tmp_path: Path) -> None:
    path = write_variant(tmp_path, '  closes: "16:00"\n', "")
    assert load_error(path) == f"{path}: line.closes: required field is missing"


def test_a_link_without_https_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "https://www.derby.gov.uk", "http://www.derby.gov.uk")
    assert "online_referral_form.url.value: links must use https" in load_error(path)


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "timezone: Europe/London", "timezone: Europe/Derby")
    assert "timezone: not a known time zone" in load_error(path)


def test_an_unknown_weekday_is_reported_with_its_position(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "thu, fri]", "thu, fri, funday]")
    assert "line.weekdays[5]:" in load_error(path)


def test_a_day_listed_twice_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "thu, fri]", "thu, fri, mon]")
    assert "line.weekdays: a day is listed twice" in load_error(path)


def test_a_bank_holiday_calendar_the_holidays_package_lacks_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "subdiv: ENG", "subdiv: XYZ")
    assert "line.bank_holidays: the holidays package has no calendar" in load_error(path)


def test_several_problems_are_all_reported_one_per_line(tmp_path: Path) -> None:
    path = write_variant(tmp_path, '"01332 641172"', '"123"')
    path.write_text(path.read_text().replace("timezone: Europe/London", "timezone: Nowhere"))
    lines = load_error(path).splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_a_missing_file_raises_a_facts_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yml"
    assert load_error(path) == f"{path}: service file not found"


def test_a_yaml_syntax_error_raises_a_facts_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("line: {opens: [10:00\n", encoding="utf-8")
    assert load_error(path).startswith(f"{path}: not valid YAML:")


def test_a_key_given_twice_is_refused_rather_than_silently_overwritten(tmp_path: Path) -> None:
    path = write_variant(
        tmp_path, "timezone: Europe/London", "timezone: Europe/London\ntimezone: UTC"
    )
    message = load_error(path)
    assert "not valid YAML" in message
    assert "duplicate key 'timezone'" in message


def test_an_empty_file_raises_a_facts_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.yml"
    path.write_text("", encoding="utf-8")
    assert "must be a YAML mapping" in load_error(path)


def test_a_facts_error_is_a_value_error() -> None:
    assert issubclass(FactsError, ValueError)
