"""A contact's rules, without a database: what a decision and an erasure need, and which
contacts a selection chooses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.contact import (
    MAX_LCS_REFERENCE,
    MAX_RATIONALE,
    ContactRuleError,
    ContactSelection,
    ContactStatus,
    DecisionRequest,
    ErasureRequest,
    Problem,
    decision_problems,
    erasure_problems,
    refuse_if_erased,
)


def test_a_complete_decision_has_no_problems() -> None:
    assert decision_problems("in_review", "Looking into it", None) == {}
    assert decision_problems("recorded_on_lcs", "Recorded", "LCS-1") == {}


def test_every_problem_of_a_decision_is_named_by_its_field() -> None:
    problems = decision_problems("erased", " ", "x" * (MAX_LCS_REFERENCE + 1))
    assert problems == {
        "status": Problem.NOT_A_DECISION,
        "rationale": Problem.MISSING,
        "lcs_reference": Problem.TOO_LONG,
    }


def test_recorded_on_lcs_needs_the_lcs_reference() -> None:
    assert decision_problems("recorded_on_lcs", "why", " ") == {"lcs_reference": Problem.MISSING}


def test_a_checked_decision_is_trimmed_and_keeps_the_lcs_reference_only_when_given() -> None:
    decision = DecisionRequest.checked("recorded_on_lcs", "manager", "  why  ", " LCS-1 ")
    assert (decision.status, decision.rationale, decision.lcs_reference) == (
        ContactStatus.RECORDED_ON_LCS,
        "why",
        "LCS-1",
    )
    assert DecisionRequest.checked("in_review", "manager", "why", "").lcs_reference is None


def test_a_decision_needs_who_made_it() -> None:
    with pytest.raises(ContactRuleError, match="who decided"):
        DecisionRequest.checked("in_review", " ", "why")


def test_an_erasure_needs_a_reason_of_a_sensible_length() -> None:
    assert erasure_problems("") == {"rationale": Problem.MISSING}
    assert erasure_problems("x" * (MAX_RATIONALE + 1)) == {"rationale": Problem.TOO_LONG}
    assert ErasureRequest.checked("manager", " duplicate ").rationale == "duplicate"
    with pytest.raises(ContactRuleError, match="who erased"):
        ErasureRequest.checked("", "duplicate")


def test_an_erased_contact_refuses_any_change() -> None:
    refuse_if_erased("PCL-2026-000001", "new")
    with pytest.raises(ContactRuleError, match="PCL-2026-000001 has been erased"):
        refuse_if_erased("PCL-2026-000001", "erased")


def test_a_selection_passes_on_only_what_it_sets() -> None:
    since = datetime(2026, 11, 1, tzinfo=UTC)
    assert ContactSelection().arguments() == {}
    assert ContactSelection(channel="sms", created_from=since).arguments() == {
        "channel": "sms",
        "created_from": since,
    }
