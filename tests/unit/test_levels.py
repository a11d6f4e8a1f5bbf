"""Levels of need: the questions, free-text answers and every threshold rule."""

from __future__ import annotations

import ast
import itertools
import re
import string
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain import levels
from bot.domain.levels import (
    DECISION_NOTE,
    NEXT_STEP_TEXT,
    PLACEHOLDERS,
    QUESTIONS_BY_KEY,
    THRESHOLD_QUESTIONS,
    Level,
    Suggestion,
    next_step_text,
    normalise_answer,
    suggest_level,
)

HARM = ("yes", "no", "unsure")
NEEDS = ("none", "some", "several", "severe")
SUPPORT = ("yes", "partly", "no", "early_help_no", "none")
CONSENT = ("yes", "no", "not_asked")


def all_answers() -> Iterator[dict[str, str]]:
    """Every combination of answers, each question also left unanswered."""
    keys = ("harm", "needs", "support", "consent")
    for values in itertools.product(*[(*v, None) for v in (HARM, NEEDS, SUPPORT, CONSENT)]):
        yield {key: value for key, value in zip(keys, values, strict=True) if value is not None}


# ---------------------------------------------------------------------------------------
# Levels and questions
# ---------------------------------------------------------------------------------------


def test_the_four_levels_in_order_with_plain_meanings() -> None:
    assert [level.value for level in Level] == [
        "Universal",
        "Emerging needs",
        "Intensive",
        "Specialist",
    ]
    assert [level.rank for level in Level] == [0, 1, 2, 3]
    assert Level("Intensive") is Level.INTENSIVE and Level.INTENSIVE == "Intensive"
    assert str(Level.EMERGING) == f"{Level.EMERGING}" == "Emerging needs"
    for level in Level:
        meaning = level.meaning
        assert meaning.endswith(".") and meaning.count(". ") == 0, meaning
        assert len(meaning) < 200
    assert "significant harm" in Level.SPECIALIST.meaning


def test_the_threshold_questions_and_their_choices() -> None:
    assert [q.key for q in THRESHOLD_QUESTIONS] == ["harm", "needs", "support", "consent"]
    assert QUESTIONS_BY_KEY["harm"].values == HARM
    assert QUESTIONS_BY_KEY["needs"].values == NEEDS
    assert QUESTIONS_BY_KEY["support"].values == SUPPORT
    assert QUESTIONS_BY_KEY["consent"].values == CONSENT
    assert [c.title for c in QUESTIONS_BY_KEY["needs"].choices] == [
        "Developing as expected",
        "Some additional needs in one area",
        "Several or complex needs",
        "Needs only social care can meet",
    ]
    assert "significant harm" in QUESTIONS_BY_KEY["harm"].text
    assert "reasonable cause to suspect" in QUESTIONS_BY_KEY["harm"].text
    for question in THRESHOLD_QUESTIONS:
        assert len(question.text) <= 300 and question.text.endswith("?")
        assert all(len(choice.title) <= 40 for choice in question.choices)  # fits a button


# ---------------------------------------------------------------------------------------
# Free-text answers
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", THRESHOLD_QUESTIONS, ids=lambda q: q.key)
def test_button_values_titles_and_payloads_are_understood(question: levels.Question) -> None:
    for choice in question.choices:
        assert normalise_answer(question.key, choice.value) == choice.value
        assert normalise_answer(question.key, choice.title) == choice.value
        assert normalise_answer(question.key, f" {choice.title.upper()}! ") == choice.value
        payload = f'/threshold_answer{{"{question.key}": "{choice.value}"}}'
        assert normalise_answer(question.key, payload) == choice.value


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("harm", "yep", "yes"),
        ("harm", "Yeah I think so", "yes"),
        ("harm", "probably", "yes"),
        ("harm", "nope", "no"),
        ("harm", "no, he seems fine", "no"),
        ("harm", "I don't think so", "no"),
        ("harm", "not really", "no"),
        ("harm", "not sure", "unsure"),
        ("harm", "dunno", "unsure"),
        ("harm", "I don't know", "unsure"),
        ("harm", "maybe, hard to say", "unsure"),
        ("harm", "possibly", "unsure"),
        ("needs", "several", "several"),
        ("needs", "loads of needs", "several"),
        ("needs", "quite complex really", "several"),
        ("needs", "quite a few", "several"),
        ("needs", "just one area, his speech", "some"),
        ("needs", "a few", "some"),
        ("needs", "not many, minor stuff", "some"),
        ("needs", "he's developing as expected", "none"),
        ("needs", "no additional needs", "none"),
        ("needs", "they're severe", "severe"),
        ("needs", "only social care could meet them", "severe"),
        ("needs", "not severe, some needs", "some"),
        ("support", "no support", "none"),
        ("support", "nothing in place", "none"),
        ("support", "nobody is involved", "none"),
        ("support", "partly", "partly"),
        ("support", "not fully", "partly"),
        ("support", "sort of", "partly"),
        ("support", "no it's not working", "no"),
        ("support", "the early help plan isn't working", "early_help_no"),
        ("support", "there's a TAF but it has not helped", "early_help_no"),
        ("support", "EHA in place, needs still unmet", "early_help_no"),
        ("support", "not meeting them despite early help", "early_help_no"),
        ("support", "nope", "no"),
        ("support", "yes it's working well", "yes"),
        ("support", "needs are being met", "yes"),
        ("consent", "they don't know yet", "not_asked"),
        ("consent", "haven't asked them", "not_asked"),
        ("consent", "not yet", "not_asked"),
        ("consent", "mum refused", "no"),
        ("consent", "they know but don't agree", "no"),
        ("consent", "dad said no", "no"),
        ("consent", "yes they're happy", "yes"),
        ("consent", "they know and agree", "yes"),
        ("consent", "parents have consented", "yes"),
    ],
)
def test_free_text_answers(key: str, text: str, value: str) -> None:
    assert normalise_answer(key, text) == value


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("harm", ""),
        ("harm", "   "),
        ("harm", "the weather is nice"),
        ("needs", "yes"),
        ("needs", "not sure"),
        ("support", "banana"),
        ("consent", "what does that mean"),
    ],
)
def test_unclear_answers_give_none(key: str, text: str) -> None:
    assert normalise_answer(key, text) is None


def test_an_unknown_question_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        normalise_answer("age", "12")


# ---------------------------------------------------------------------------------------
# The rules (the table in suggest_level's docstring)
# ---------------------------------------------------------------------------------------

CSCR = "childrens_social_care_referral"

RULES = [
    # row 1: immediate danger
    (
        {"harm": "no", "needs": "none", "support": "yes", "consent": "yes"},
        dict(significant_harm=False, immediate_danger=True),
        Level.SPECIALIST,
        ("call_999", "irt_now", CSCR),
        False,
        "S47",
    ),
    # row 2: significant harm from the phrase net or classifier, or harm = yes
    (
        {"harm": "no", "needs": "some", "support": "yes", "consent": "no"},
        dict(significant_harm=True),
        Level.SPECIALIST,
        ("irt_now", CSCR),
        False,
        "S47",
    ),
    (
        {"harm": "yes", "needs": "none", "support": "yes", "consent": "not_asked"},
        {},
        Level.SPECIALIST,
        ("irt_now", CSCR),
        False,
        "S47",
    ),
    # "not sure" about harm with several needs: the level follows the needs (Intensive), and
    # the next step is to talk it through with the IRT, never "significant harm" (SPEC §2)
    (
        {"harm": "unsure", "needs": "several", "support": "yes", "consent": "yes"},
        {},
        Level.INTENSIVE,
        ("threshold_discussion", "mat_referral"),
        True,
        None,
    ),
    # row 3: unsure about harm with needs only social care can meet: threshold discussion
    (
        {"harm": "unsure", "needs": "severe", "support": "no", "consent": "not_asked"},
        {},
        Level.SPECIALIST,
        ("threshold_discussion", CSCR),
        True,
        None,
    ),
    # row 4: needs only social care can meet: S17
    (
        {"harm": "no", "needs": "severe", "support": "no", "consent": "yes"},
        {},
        Level.SPECIALIST,
        (CSCR,),
        False,
        "S17",
    ),
    (
        {"harm": "no", "needs": "severe", "support": "no", "consent": "not_asked"},
        {},
        Level.SPECIALIST,
        ("seek_consent", CSCR),
        False,
        "S17",
    ),
    # row 5: several needs: MAT
    (
        {"harm": "no", "needs": "several", "support": "yes", "consent": "yes"},
        {},
        Level.INTENSIVE,
        ("mat_referral",),
        False,
        None,
    ),
    (
        {"harm": "no", "needs": "several", "support": "none", "consent": "no"},
        {},
        Level.INTENSIVE,
        ("seek_consent", "mat_referral"),
        False,
        None,
    ),
    # row 6: emerging needs that early help (an EHA, a team around the family) has not met:
    # MAT (the thresholds document's Intensive, Level 3)
    (
        {"harm": "no", "needs": "some", "support": "early_help_no", "consent": "yes"},
        {},
        Level.INTENSIVE,
        ("mat_referral",),
        False,
        None,
    ),
    (
        {"harm": "no", "needs": "some", "consent": "yes"},  # support missing: read cautiously
        {},
        Level.INTENSIVE,
        ("mat_referral",),
        False,
        None,
    ),
    # row 7: needs that universal support alone is not meeting call for an Early Help
    # Assessment (Emerging needs, Level 2): not Intensive by themselves
    (
        {"harm": "no", "needs": "some", "support": "no", "consent": "yes"},
        {},
        Level.EMERGING,
        ("early_help_assessment",),
        False,
        None,
    ),
    # row 7: some needs: Early Help Assessment
    (
        {"harm": "no", "needs": "some", "support": "yes", "consent": "yes"},
        {},
        Level.EMERGING,
        ("early_help_assessment",),
        False,
        None,
    ),
    (
        {"harm": "no", "needs": "some", "support": "partly", "consent": "not_asked"},
        {},
        Level.EMERGING,
        ("seek_consent", "early_help_assessment"),
        False,
        None,
    ),
    (
        {"harm": "no", "needs": "some", "support": "none", "consent": "no"},
        {},
        Level.EMERGING,
        ("seek_consent", "early_help_assessment"),
        False,
        None,
    ),
    # row 8: developing as expected: Universal
    (
        {"harm": "no", "needs": "none", "support": "yes", "consent": "not_asked"},
        {},
        Level.UNIVERSAL,
        ("universal_services",),
        False,
        None,
    ),
    (
        {"harm": "no", "needs": "none", "support": "none"},
        {},
        Level.UNIVERSAL,
        ("universal_services",),
        False,
        None,
    ),
    # row 9: "developing as expected" but support not meeting needs: the higher reading
    (
        {"harm": "no", "needs": "none", "support": "partly", "consent": "yes"},
        {},
        Level.EMERGING,
        ("early_help_assessment",),
        False,
        None,
    ),
    # rows 5-9 with harm unsure: threshold discussion first, never below Emerging
    (
        {"harm": "unsure", "needs": "none", "support": "yes", "consent": "yes"},
        {},
        Level.EMERGING,
        ("threshold_discussion", "early_help_assessment"),
        True,
        None,
    ),
    (
        {"harm": "unsure", "needs": "some", "support": "early_help_no", "consent": "not_asked"},
        {},
        Level.INTENSIVE,
        ("threshold_discussion", "seek_consent", "mat_referral"),
        True,
        None,
    ),
    (
        {"harm": "unsure", "needs": "some", "support": "no", "consent": "not_asked"},
        {},
        Level.EMERGING,
        ("threshold_discussion", "seek_consent", "early_help_assessment"),
        True,
        None,
    ),
    # row 9 with early help not meeting: still the higher reading, Emerging
    (
        {"harm": "no", "needs": "none", "support": "early_help_no", "consent": "yes"},
        {},
        Level.EMERGING,
        ("early_help_assessment",),
        False,
        None,
    ),
]


@pytest.mark.parametrize("support", SUPPORT)
def test_not_sure_with_several_needs_is_intensive_never_specialist(support: str) -> None:
    for consent in (*CONSENT, None):
        answers = {"harm": "unsure", "needs": "several", "support": support}
        if consent:
            answers["consent"] = consent
        suggestion = suggest_level(answers)
        assert suggestion.level is Level.INTENSIVE
        assert suggestion.statutory is None and suggestion.threshold_discussion
        assert suggestion.next_steps[0] == "threshold_discussion"


def test_needs_unmet_by_universal_support_only_are_not_intensive_by_themselves() -> None:
    for harm in ("no", "unsure"):
        for consent in CONSENT:
            answers = {"harm": harm, "needs": "some", "support": "no", "consent": consent}
            assert suggest_level(answers).level is Level.EMERGING
            assert "early_help_assessment" in suggest_level(answers).next_steps
    unmet = suggest_level({"harm": "no", "needs": "some", "support": "early_help_no"})
    assert unmet.level is Level.INTENSIVE


def test_the_level_meanings_follow_the_thresholds_document() -> None:
    assert "more than one agency" in Level.EMERGING.meaning
    assert "Early Help Assessment" in Level.INTENSIVE.meaning
    assert "more complex" in Level.INTENSIVE.meaning
    assert "lead professional" in NEXT_STEP_TEXT["early_help_assessment"]


def test_the_threshold_discussion_is_described_as_the_irts_own_step() -> None:
    text = NEXT_STEP_TEXT["threshold_discussion"]
    assert "talk it through with the IRT" in text
    assert "After a referral" in text and "Multi-Agency Strategy Meeting Manager" in text
    assert "the IRT's own step" in text


def test_seeking_consent_says_how_and_what_to_do_when_it_is_refused() -> None:
    text = NEXT_STEP_TEXT["seek_consent"]
    assert "source of harm" in text  # never ask a family member who may be the source
    assert "If they refuse" in text and "record" in text.lower()
    assert "without consent" in text


@pytest.mark.parametrize(("answers", "flags", "level", "steps", "discussion", "statutory"), RULES)
def test_each_rule(
    answers: dict[str, str],
    flags: dict[str, bool],
    level: Level,
    steps: tuple[str, ...],
    discussion: bool,
    statutory: str | None,
) -> None:
    suggestion = suggest_level(answers, **flags)
    assert suggestion == Suggestion(level, suggestion.reasons, steps, discussion, statutory), (
        suggestion
    )


def test_significant_harm_always_means_specialist_s47_and_the_irt_now() -> None:
    for answers in all_answers():
        for flags in ({"significant_harm": True}, {"immediate_danger": True}):
            suggestion = suggest_level(answers, **flags)
            assert suggestion.level is Level.SPECIALIST
            assert suggestion.statutory == "S47"
            assert suggestion.next_steps[:2] in (("irt_now", CSCR), ("call_999", "irt_now"))
            assert "seek_consent" not in suggestion.next_steps  # never waits for consent
        if answers.get("harm") == "yes":
            assert suggest_level(answers).level is Level.SPECIALIST


def test_immediate_danger_puts_999_first_and_only_then() -> None:
    for answers in all_answers():
        assert suggest_level(answers, immediate_danger=True).next_steps[0] == "call_999"
        for harm in (False, True):
            assert "call_999" not in suggest_level(answers, significant_harm=harm).next_steps


def test_consent_is_sought_for_early_help_and_never_for_child_protection() -> None:
    for answers in all_answers():
        suggestion = suggest_level(answers)
        asks = "seek_consent" in suggestion.next_steps
        if suggestion.statutory == "S47" or suggestion.level is Level.UNIVERSAL:
            assert not asks
        elif suggestion.level in (Level.EMERGING, Level.INTENSIVE):
            assert asks == (answers.get("consent") != "yes"), answers


@pytest.mark.parametrize("key", ["needs", "support", "consent"])
def test_a_missing_answer_never_lowers_the_level(key: str) -> None:
    values = QUESTIONS_BY_KEY[key].values
    for answers in all_answers():
        if key in answers:
            continue
        missing = suggest_level(answers).level.rank
        highest = max(suggest_level({**answers, key: v}).level.rank for v in values)
        assert missing >= highest, answers


def test_a_missing_harm_answer_is_read_as_unsure() -> None:
    for answers in all_answers():
        if "harm" in answers:
            continue
        missing = suggest_level(answers)
        unsure = suggest_level({**answers, "harm": "unsure"})
        assert (missing.level, missing.next_steps, missing.threshold_discussion) == (
            unsure.level,
            unsure.next_steps,
            unsure.threshold_discussion,
        )
        assert missing.level.rank >= suggest_level({**answers, "harm": "no"}).level.rank
        assert missing.threshold_discussion
        assert any("do not know yet whether you suspect" in r for r in missing.reasons)


def test_nothing_answered_is_a_threshold_discussion_at_specialist() -> None:
    suggestion = suggest_level({})
    assert suggestion.level is Level.SPECIALIST
    assert suggestion.threshold_discussion and suggestion.statutory is None
    assert any("did not tell us about the child's needs" in r for r in suggestion.reasons)


def test_free_text_and_unreadable_answers() -> None:
    assert suggest_level({"harm": "yep"}).statutory == "S47"
    free = suggest_level({"harm": "nope", "needs": "loads", "support": "nah", "consent": "yes"})
    assert free.level is Level.INTENSIVE
    # An unreadable answer counts as missing, so it is read cautiously too.
    assert suggest_level({"harm": "no", "needs": "purple"}) == suggest_level({"harm": "no"})


def test_reasons_use_the_callers_answers() -> None:
    suggestion = suggest_level(
        {"harm": "no", "needs": "several", "support": "yes", "consent": "not_asked"}
    )
    assert "You said the child's needs are several or complex." in suggestion.reasons
    assert "You said the family has not been asked yet." in suggestion.reasons
    harm = suggest_level({"needs": "none"}, significant_harm=True)
    assert harm.reasons[0].startswith("What you described suggests")
    assert "A concern about significant harm never waits for consent." in harm.reasons
    floor = suggest_level({"harm": "unsure", "needs": "none", "support": "yes"})
    assert any("not suggested a level below Emerging needs" in r for r in floor.reasons)
    for answers in all_answers():
        for flags in ({}, {"significant_harm": True}, {"immediate_danger": True}):
            suggestion = suggest_level(answers, **flags)
            assert suggestion.reasons
            assert all(r.endswith(".") and r[0].isupper() for r in suggestion.reasons)
            assert len(set(suggestion.reasons)) == len(suggestion.reasons)


# ---------------------------------------------------------------------------------------
# Next-step texts
# ---------------------------------------------------------------------------------------


def test_every_next_step_has_text_and_every_text_is_used() -> None:
    used = {
        step
        for answers in all_answers()
        for flags in ({}, {"significant_harm": True}, {"immediate_danger": True})
        for step in suggest_level(answers, **flags).next_steps
    }
    assert (
        used
        == set(NEXT_STEP_TEXT)
        == {
            "universal_services",
            "early_help_assessment",
            "mat_referral",
            "childrens_social_care_referral",
            "irt_now",
            "call_999",
            "threshold_discussion",
            "seek_consent",
        }
    )


PHONE_LIKE = re.compile(r"\d[\d ]{2,}\d|\b999\b|\b\d{3,}\b")
URL_LIKE = re.compile(r"https?://|www\.|\.(?:uk|com|org|net|gov)\b|@", re.IGNORECASE)


def _texts() -> list[str]:
    texts = [q.text for q in THRESHOLD_QUESTIONS]
    texts += [c.title for q in THRESHOLD_QUESTIONS for c in q.choices]
    texts += list(NEXT_STEP_TEXT.values()) + [level.meaning for level in Level]
    return [*texts, DECISION_NOTE]


def test_no_text_holds_a_phone_number_or_a_link() -> None:
    for text in _texts():
        assert not PHONE_LIKE.search(text), text
        assert not URL_LIKE.search(text), text


def test_placeholders_are_the_documented_ones_and_get_filled() -> None:
    fields = {
        name
        for text in NEXT_STEP_TEXT.values()
        for _, name, _, _ in string.Formatter().parse(text)
        if name
    }
    assert fields == PLACEHOLDERS
    facts = {
        "emergency_phone": "999",
        "irt_phone": "01332 641172",
        "referral_form_url": "https://example.org/form",
        "referral_followup_hours": "48",
    }
    assert next_step_text("call_999", facts).startswith(
        "If the child is in immediate danger, call 999"
    )
    assert "01332 641172" in next_step_text("irt_now", facts)
    assert "https://example.org/form" in next_step_text(CSCR, facts)
    with pytest.raises(KeyError):
        next_step_text("irt_now", {})


def test_the_decision_is_said_to_be_the_irts() -> None:
    assert "suggested" in DECISION_NOTE and "Initial Response Team" in DECISION_NOTE


def test_the_module_is_standard_library_only() -> None:
    tree = ast.parse(Path(levels.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= set(sys.stdlib_module_names), imported


def test_not_sure_about_harm_is_never_told_that_significant_harm_applies() -> None:
    for needs in ("none", "some", "several", "severe", None):
        answers = {"harm": "unsure", "support": "no", "consent": "yes"}
        if needs:
            answers["needs"] = needs
        suggestion = suggest_level(answers)
        assert "significant harm" not in suggestion.meaning
        assert suggestion.statutory != "S47"
        assert suggestion.next_steps[0] == "threshold_discussion"
