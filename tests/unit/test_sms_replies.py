"""What the SMS channel says by itself (HELP, empty, too long, a wrong number) and the IRT
alert's text, which must carry the reference and the time and nothing about the child."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.adapters.service_file import load_facts
from bot.domain.facts import ServiceFacts
from bot.domain.irt_alert import irt_alert_text
from bot.domain.sms import replies
from bot.domain.sms.render import SMS_MAX_CHARS

THURSDAY_11AM = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def facts() -> ServiceFacts:
    return load_facts()


def test_help_says_what_the_line_is_its_hours_and_the_urgent_routes(facts: ServiceFacts) -> None:
    text = replies.help_reply(facts, THURSDAY_11AM)
    assert "Professional Consultation Line" in text
    assert "not a referral service" in text
    assert "10am to 4pm, Monday to Friday" in text
    assert "999" in text
    assert facts.irt.phone.number in text
    assert facts.online_referral_form.url.value in text
    assert len(text) <= SMS_MAX_CHARS


def test_help_out_of_hours_gives_the_out_of_hours_service(facts: ServiceFacts) -> None:
    text = replies.help_reply(facts, SATURDAY_NIGHT)
    assert facts.out_of_hours.phone.number in text
    assert "999" in text


def test_too_long_asks_for_a_shorter_message() -> None:
    assert "1,600 characters" in replies.too_long()
    assert "shorter" in replies.too_long()


def test_a_wrong_number_names_the_numbers_on_offer() -> None:
    assert "1 to 3" in replies.choose_a_number(3)


@pytest.mark.parametrize("immediate", [True, False])
def test_the_irt_alert_names_the_service_the_reference_and_the_time(
    facts: ServiceFacts, immediate: bool
) -> None:
    text = irt_alert_text(facts, "PCL-2026-000123", immediate, THURSDAY_11AM)
    assert text.startswith("Derby City Council Professional Consultation Line")
    assert "PCL-2026-000123" in text
    assert "significant harm" in text
    assert ("immediate danger" in text) is immediate
    assert "11:00 on Thu 26 Nov 2026" in text
    assert len(text) <= 320  # two SMS segments at most


def test_the_irt_alert_time_is_uk_time_in_summer(facts: ServiceFacts) -> None:
    text = irt_alert_text(facts, "PCL-2026-000001", False, datetime(2026, 7, 1, 9, 5, tzinfo=UTC))
    assert "10:05 on Wed 1 Jul 2026" in text


def test_the_irt_alert_is_plain_gsm_text(facts: ServiceFacts) -> None:
    # Curly quotes or dashes would switch the SMS to UCS-2 and halve each segment.
    text = irt_alert_text(facts, "PCL-2026-000001", True, THURSDAY_11AM)
    assert text.isascii()
