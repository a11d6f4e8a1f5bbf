"""Sharing without consent (ISA "Consent"): when the reason is needed and how an answer is read."""

from __future__ import annotations

import pytest

from bot.domain.consent import QUESTION, REASONS, reason_answer, reason_needed
from bot.domain.consultation import family_aware_from


@pytest.mark.parametrize("answer", ["no", "disagree", "unsure"])
def test_a_named_child_shared_without_the_familys_agreement_needs_the_reason(answer: str) -> None:
    assert reason_needed(True, answer)


@pytest.mark.parametrize("answer", ["yes", None])
def test_no_reason_is_needed_when_the_family_agrees_or_before_the_family_question(
    answer: str | None,
) -> None:
    assert not reason_needed(True, answer)


@pytest.mark.parametrize("answer", ["no", "disagree", "unsure", "yes"])
def test_a_scenario_never_needs_the_reason(answer: str) -> None:
    assert not reason_needed(False, answer)


@pytest.mark.parametrize(
    ("typed", "family"),
    [
        ("No, they don't know", "no"),
        ("They know but don't agree", "disagree"),
        ("not sure", "unsure"),
    ],
)
def test_each_family_answer_but_yes_leads_to_the_reason(typed: str, family: str) -> None:
    assert family_aware_from(None, typed) == family
    assert reason_needed(True, family)


def test_each_button_keeps_its_reason_in_words_a_manager_can_read() -> None:
    for reason in REASONS:
        assert reason_answer(reason.value) == reason.recorded
        assert reason_answer(reason.title) == reason.recorded  # a title typed, or read aloud
        assert len(reason.title) <= 40  # SMS numbers the buttons
        assert reason.recorded.endswith(".")
    assert len({r.value for r in REASONS}) == len(REASONS)


def test_the_isas_common_reasons_are_offered() -> None:
    recorded = " ".join(r.recorded for r in REASONS)
    assert "greater risk" in recorded
    assert "crime" in recorded and "police" in recorded
    assert "refused" in recorded
    assert "advice before deciding" in recorded


def test_the_callers_own_words_are_kept_as_given() -> None:
    words = "Mum's partner is the alleged abuser and she would tell him"
    assert reason_answer(f"  {words} ") == words


@pytest.mark.parametrize("typed", ["", " ", "no", "ok", "yes.", "idk", "n/a", "ab"])
def test_an_answer_that_gives_no_reason_is_not_kept(typed: str) -> None:
    assert reason_answer(typed) is None


def test_the_question_says_why_it_is_asked() -> None:
    assert QUESTION.startswith("Why are you sharing")
    assert "I ask because" in QUESTION and "recorded" in QUESTION
