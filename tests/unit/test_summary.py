"""The SMS record (issue 16, part 6): the reference and the next steps in one message."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

from bot.adapters.service_file import load_facts
from bot.domain.levels import NEXT_STEP_TEXT, suggest_level
from bot.domain.messages import step_facts
from bot.domain.summary import MAX_SMS_SUMMARY_CHARS, SHORT_STEPS, sms_summary

FACTS = load_facts()
AT = datetime(2026, 11, 26, 11, 5, tzinfo=UTC)


def test_every_next_step_has_a_short_form() -> None:
    assert set(SHORT_STEPS) == set(NEXT_STEP_TEXT)


def test_a_named_child_summary_holds_the_reference_level_and_steps_with_their_numbers() -> None:
    suggestion = suggest_level({"harm": "yes"})
    text = sms_summary(
        FACTS,
        step_facts(FACTS),
        at=AT,
        reference="PCL-2026-000123",
        level=suggestion.level.value,
        next_steps=suggestion.next_steps,
    )
    assert "26 November 2026 at 11:05" in text
    assert "contact PCL-2026-000123" in text and "Suggested level: Specialist" in text
    assert FACTS.irt.phone.number in text and FACTS.online_referral_form.url.value in text
    assert "1. " in text and "2. " in text


def test_every_summary_fits_one_text_message_and_a_scenario_keeps_nothing() -> None:
    answers = [(None, "yes", "no", "unsure"), (None, "none", "some", "several", "severe")]
    for harm, needs in itertools.product(*answers):
        given = {k: v for k, v in (("harm", harm), ("needs", needs)) if v}
        for flags in ({}, {"immediate_danger": True}):
            suggestion = suggest_level(given, **flags)
            text = sms_summary(
                FACTS,
                step_facts(FACTS),
                at=AT,
                reference=None,
                level=suggestion.level.value,
                next_steps=suggestion.next_steps,
            )
            assert len(text) <= MAX_SMS_SUMMARY_CHARS
            assert "a scenario (nothing kept)" in text
            for number in re.findall(r"\b\d[\d ]{6,}\d\b", text):
                assert number in FACTS.all_phone_numbers()
