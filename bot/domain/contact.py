"""A contact (SPEC §4): what is recorded about one consultation, and the rules a change must
keep (a decision needs who and why; an erased contact changes no more). Plain dataclasses: the
database and the encryption are bot.adapters.db.contacts's job."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum

from bot.domain.irt_alert import AlertState

ASSISTANT = "assistant"  # the `by` of changes the assistant makes, not a member of staff


class ContactStatus(StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    PASSED_TO_IRT = "passed_to_irt"
    RECORDED_ON_LCS = "recorded_on_lcs"
    NO_FURTHER_ACTION = "no_further_action"
    ERASED = "erased"


# Erasure has its own method because it needs more than a status change.
DECISION_STATUSES = frozenset(ContactStatus) - {ContactStatus.NEW, ContactStatus.ERASED}


class ContactNotFoundError(LookupError):
    pass


class ContactRuleError(ValueError):
    """A change the record's rules refuse (a missing rationale, lowering a flag, ...)."""


@dataclass(frozen=True)
class CallerDetails:
    name: str | None = None
    role: str | None = None
    agency: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ChildDetails:
    name: str | None = None
    date_of_birth: date | None = None
    age_years: int | None = None
    unborn: bool = False
    address: str | None = None
    setting: str | None = None
    carers: str | None = None


@dataclass(frozen=True)
class NewContact:
    channel: str
    created_at: datetime
    caller: CallerDetails = field(default_factory=CallerDetails)
    child: ChildDetails = field(default_factory=ChildDetails)
    concern: str | None = None
    family_aware: str | None = None
    # Why it is shared without the family's consent (ISA "Consent"); None when not asked.
    consent_reason: str | None = None
    threshold_answers: dict[str, str] = field(default_factory=dict)
    suggested_level: str | None = None
    level_reasons: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    significant_harm: bool = False
    immediate_danger: bool = False
    harm_categories: list[str] = field(default_factory=list)
    advice_given: str | None = None


# `update` may change these; the creation time fixes the reference, so it never changes.
UPDATABLE = frozenset(f.name for f in fields(NewContact)) - {"created_at"}


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    by: str
    from_status: str | None
    to_status: str
    rationale: str | None


@dataclass(frozen=True)
class Decision:
    at: datetime
    by: str
    status: str
    rationale: str | None
    lcs_reference: str | None


@dataclass(frozen=True)
class ContactSummary:
    """What a list shows: no personal data, so listing is not viewing a contact."""

    reference: str
    created_at: datetime
    channel: str
    status: str
    significant_harm: bool
    immediate_danger: bool
    suggested_level: str | None
    harm_categories: list[str]
    lcs_reference: str | None
    alert: AlertState | None = None  # the latest IRT alert's state, if one was raised
    # Flagged by a client beyond its allowance (a possible flood): sorted after the others.
    flooding_source: bool = False


@dataclass(frozen=True)
class ContactView:
    reference: str
    created_at: datetime
    updated_at: datetime
    channel: str
    status: str
    significant_harm: bool
    immediate_danger: bool
    harm_categories: list[str]
    suggested_level: str | None
    level_reasons: list[str]
    threshold_answers: dict[str, str]
    next_steps: list[str]
    caller: CallerDetails
    child: ChildDetails
    concern: str | None
    family_aware: str | None
    consent_reason: str | None
    advice_given: str | None
    lcs_reference: str | None
    erased_at: datetime | None
    erased_by: str | None
    erasure_rationale: str | None
    history: list[StatusChange]
    decisions: list[Decision]
    alert: AlertState | None = None  # the latest IRT alert's state, if one was raised
    flooding_source: bool = False  # flagged by a client beyond its allowance


def format_reference(year: int, sequence: int) -> str:
    return f"PCL-{year}-{sequence:06d}"


# The limits a manager's form and the JSON API both keep.
MAX_RATIONALE = 5000
MAX_LCS_REFERENCE = 40


class Problem(StrEnum):
    """What is wrong with one field of a requested change (a page words it for its form)."""

    MISSING = "missing"
    TOO_LONG = "too_long"
    NOT_A_DECISION = "not_a_decision"


def decision_problems(status: str, rationale: str, lcs_reference: str | None) -> dict[str, Problem]:
    """Every field of a decision the rules refuse, by field name (empty when all is well)."""
    problems: dict[str, Problem] = {}
    if status not in DECISION_STATUSES:
        problems["status"] = Problem.NOT_A_DECISION
    rationale = (rationale or "").strip()
    if not rationale:
        problems["rationale"] = Problem.MISSING
    elif len(rationale) > MAX_RATIONALE:
        problems["rationale"] = Problem.TOO_LONG
    lcs = (lcs_reference or "").strip()
    if status == ContactStatus.RECORDED_ON_LCS and not lcs:
        problems["lcs_reference"] = Problem.MISSING
    elif len(lcs) > MAX_LCS_REFERENCE:
        problems["lcs_reference"] = Problem.TOO_LONG
    return problems


def erasure_problems(rationale: str) -> dict[str, Problem]:
    """Every field of an erasure the rules refuse, by field name (empty when all is well)."""
    rationale = (rationale or "").strip()
    if not rationale:
        return {"rationale": Problem.MISSING}
    if len(rationale) > MAX_RATIONALE:
        return {"rationale": Problem.TOO_LONG}
    return {}


@dataclass(frozen=True)
class DecisionRequest:
    """A decision as a manager asked for it, checked: a known decision status, who and why, and
    the LCS reference when the contact is recorded on LCS."""

    status: ContactStatus
    by: str
    rationale: str
    lcs_reference: str | None

    @classmethod
    def checked(
        cls, status: str, by: str, rationale: str, lcs_reference: str | None = None
    ) -> DecisionRequest:
        try:
            new_status = ContactStatus(status)
        except ValueError:
            raise ContactRuleError(f"unknown status {status!r}") from None
        if new_status not in DECISION_STATUSES:
            raise ContactRuleError(f"{status!r} is not a decision (erasure has its own action)")
        require(by, "who decided")
        require(rationale, "a rationale")
        problems = decision_problems(status, rationale, lcs_reference)
        if problems.get("lcs_reference") is Problem.MISSING:
            raise ContactRuleError("recorded_on_lcs needs the LCS reference")
        if problems:
            field_name, problem = next(iter(problems.items()))
            raise ContactRuleError(f"{field_name}: {problem.value}")
        lcs = (lcs_reference or "").strip() or None
        return cls(new_status, by, rationale.strip(), lcs)


@dataclass(frozen=True)
class ErasureRequest:
    """An erasure as a manager asked for it, checked: who and why."""

    by: str
    rationale: str

    @classmethod
    def checked(cls, by: str, rationale: str) -> ErasureRequest:
        require(by, "who erased")
        require(rationale, "a rationale")
        problems = erasure_problems(rationale)
        if problems:
            field_name, problem = next(iter(problems.items()))
            raise ContactRuleError(f"{field_name}: {problem.value}")
        return cls(by, rationale.strip())


@dataclass(frozen=True)
class ContactSelection:
    """Which contacts a list, the queue or an export holds. Without a status: all but erased.
    `statuses` is any of several; `created_from` is inclusive, `created_before` exclusive."""

    status: str | None = None
    statuses: frozenset[str] | None = None
    significant_harm: bool | None = None
    channel: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    # Only those waiting longer than the IRT's decision time: a use case turns it into the
    # criteria above with the time now (bot.domain.triage.waiting_too_long).
    overdue: bool = False

    def arguments(self) -> dict[str, object]:
        """The set criteria, as keyword arguments for a repository's list."""
        if self.overdue:
            raise ValueError("narrow an overdue selection with triage.waiting_too_long first")
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "overdue"}
        return {name: value for name, value in values.items() if value is not None}


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def require(value: str | None, what: str) -> None:
    if not (value and value.strip()):
        raise ContactRuleError(f"{what} is required")


def refuse_if_erased(reference: str, status: str) -> None:
    if status == ContactStatus.ERASED.value:
        raise ContactRuleError(f"{reference} has been erased")
