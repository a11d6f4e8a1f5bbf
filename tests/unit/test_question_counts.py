"""The consultation from greeting to advice stays short (issue 16): the questions on each path,
counted by walking bot.domain.consultation.required_slots as the form does, and never one asked
twice. docs/consultation.md states these counts; the test checks the document too."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.domain.consultation import (
    CONSENT_FROM_FAMILY_AWARE,
    NAMED_CHILD,
    PROFESSIONAL,
    PUBLIC,
    SCENARIO,
    ConsultationState,
    required_slots,
)
from bot.domain.duty_questions import DUTY_QUESTIONS, NO, YES, county_route, open_case_route

DOC = Path(__file__).parents[2] / "docs" / "consultation.md"


def walk(
    answers: dict[str, str], *, significant_harm: bool = False, domestic_abuse: bool = False
) -> list[str]:
    """The questions asked, in order, when the caller answers with `answers` (slot → value;
    a slot not listed is answered with "x")."""
    state = ConsultationState(
        line_open=True, significant_harm=significant_harm, domestic_abuse=domestic_abuse
    )
    filled: dict[str, str] = {}
    asked: list[str] = []
    while True:
        wanted = [s for s in required_slots(state) if s not in filled]
        if not wanted:
            return asked
        slot = wanted[0]
        assert slot not in asked, f"{slot} asked twice"
        asked.append(slot)
        filled[slot] = answers.get(slot, "x")
        if slot == "family_aware" and not significant_harm:
            filled["q_consent"] = CONSENT_FROM_FAMILY_AWARE[filled[slot]]
        state = replace(
            state,
            role_type=filled.get("role_type"),
            consultation_type=filled.get("consultation_type"),
            in_city=filled.get("child_in_city"),
            open_to_csc=filled.get("child_open_to_csc"),
            domestic_abuse=domestic_abuse,
            family_aware=filled.get("family_aware"),
        )


CITY_NOT_OPEN = {"child_in_city": YES, "child_open_to_csc": NO, "family_aware": "yes"}
PATHS = {
    "named child": (
        {"role_type": PROFESSIONAL, "consultation_type": NAMED_CHILD, **CITY_NOT_OPEN},
        False,
    ),
    "scenario": (
        {"role_type": PROFESSIONAL, "consultation_type": SCENARIO, **CITY_NOT_OPEN},
        False,
    ),
    "county child": (
        {"role_type": PROFESSIONAL, "consultation_type": NAMED_CHILD, "child_in_city": NO},
        False,
    ),
    "child open to social care": (
        {
            "role_type": PROFESSIONAL,
            "consultation_type": NAMED_CHILD,
            "child_in_city": YES,
            "child_open_to_csc": YES,
        },
        False,
    ),
    # The family does not know: shared without consent, so its reason is asked (ISA).
    "named child, without consent": (
        {
            "role_type": PROFESSIONAL,
            "consultation_type": NAMED_CHILD,
            **CITY_NOT_OPEN,
            "family_aware": "no",
        },
        False,
    ),
    "significant harm, named child": (
        {"role_type": PROFESSIONAL, "consultation_type": NAMED_CHILD, "family_aware": "yes"},
        True,
    ),
    "significant harm, named child, without consent": (
        {"role_type": PROFESSIONAL, "consultation_type": NAMED_CHILD, "family_aware": "no"},
        True,
    ),
    "significant harm, scenario": (
        {"role_type": PROFESSIONAL, "consultation_type": SCENARIO},
        True,
    ),
    "member of the public": ({"role_type": PUBLIC}, False),
}
COUNTS = {
    "named child": 20,
    "named child, without consent": 21,
    "scenario": 15,
    "county child": 8,
    "child open to social care": 9,
    "significant harm, named child": 14,
    "significant harm, named child, without consent": 15,
    "significant harm, scenario": 8,
    "member of the public": 1,
    "domestic abuse, named child": 21,
    "domestic abuse, scenario": 16,
}


@pytest.mark.parametrize("path", list(COUNTS))
def test_the_questions_on_each_path_are_counted_and_none_is_asked_twice(path: str) -> None:
    answers, harm = PATHS[path.replace("domestic abuse, ", "")]
    asked = walk(answers, significant_harm=harm, domestic_abuse=path.startswith("domestic"))
    assert len(asked) == COUNTS[path], asked
    assert len(set(asked)) == len(asked)


def test_the_family_question_and_the_consent_to_early_help_are_one_question() -> None:
    answers, _ = PATHS["named child"]
    asked = walk(answers)
    assert "family_aware" in asked and "q_consent" not in asked
    answers, _ = PATHS["scenario"]
    assert "q_consent" in walk(answers)  # a scenario has no family question


def test_the_reason_for_sharing_without_consent_is_asked_once_after_the_family_question() -> None:
    for path in ("named child, without consent", "significant harm, named child, without consent"):
        answers, harm = PATHS[path]
        asked = walk(answers, significant_harm=harm)
        assert asked.count("consent_reason") == 1, path
        assert asked[asked.index("family_aware") + 1] == "consent_reason", path
        assert "q_consent" not in asked, path  # the family question answered it
    for path in ("named child", "significant harm, named child", "scenario"):
        answers, harm = PATHS[path]
        assert "consent_reason" not in walk(answers, significant_harm=harm), path


def test_the_document_states_the_counts() -> None:
    text = DOC.read_text(encoding="utf-8")
    for path, count in COUNTS.items():
        assert re.search(rf"\|\s*{re.escape(path)}\s*\|\s*{count}\s*\|", text), path


def test_each_duty_question_shows_its_reason() -> None:
    for question in DUTY_QUESTIONS.values():
        assert question.text.endswith("?") and question.reason.startswith("I ask because")
        assert question.asked.startswith(question.text)
        assert all(len(title) <= 40 for _, title in question.choices)


def test_the_routes_take_their_numbers_from_the_service_file() -> None:
    from datetime import UTC, datetime

    from bot.adapters.service_file import load_facts

    facts = load_facts()
    numbers = re.compile(r"\b\d[\d ]{6,}\d\b|\b999\b")
    for at in (datetime(2026, 11, 26, 11, tzinfo=UTC), datetime(2026, 11, 28, 11, tzinfo=UTC)):
        for text in [*county_route(facts), *open_case_route(facts, at)]:
            assert len(text) <= 480
            for found in numbers.findall(text):
                assert found in facts.all_phone_numbers(), found
    assert facts.county_front_door.phone.number in " ".join(county_route(facts))
    weekend = " ".join(open_case_route(facts, datetime(2026, 11, 28, 11, tzinfo=UTC)))
    assert facts.out_of_hours.phone.number in weekend
