"""The staff JSON API's shapes (SPEC §8), so the OpenAPI schema describes every answer.

A contact has at least `reference`, `created_at`, `channel`, `status`, `significant_harm`,
`suggested_level`, `referrer` and `child`; the full view adds everything recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from bot.records.audit import AuditEntry
from bot.records.contacts import CallerDetails, ChildDetails, ContactView
from bot.records.reports import Count, StatisticsReport

Status = Literal[
    "new", "in_review", "passed_to_irt", "recorded_on_lcs", "no_further_action", "erased"
]
DecisionStatus = Literal["in_review", "passed_to_irt", "recorded_on_lcs", "no_further_action"]
Channel = Literal["web", "sms"]


class Referrer(BaseModel):
    """The professional who made the contact."""

    name: str | None
    role: str | None
    agency: str | None
    address: str | None
    phone: str | None
    email: str | None


class Child(BaseModel):
    name: str | None
    date_of_birth: date | None
    age_years: int | None
    unborn: bool
    address: str | None
    setting: str | None = Field(description="School, nursery or other setting")
    carers: str | None


class StatusChangeOut(BaseModel):
    at: datetime
    by: str
    from_status: str | None
    to_status: str
    rationale: str | None


class DecisionOut(BaseModel):
    at: datetime
    by: str
    status: str
    rationale: str | None
    lcs_reference: str | None


class ContactListItem(BaseModel):
    reference: str = Field(examples=["PCL-2026-000123"])
    created_at: datetime
    updated_at: datetime
    channel: str
    status: Status
    significant_harm: bool
    immediate_danger: bool
    harm_categories: list[str]
    suggested_level: str | None
    lcs_reference: str | None
    referrer: Referrer
    child: Child


class ContactOut(ContactListItem):
    level_reasons: list[str]
    next_steps: list[str]
    threshold_answers: dict[str, str]
    concern: str | None
    family_aware: str | None
    advice_given: str | None
    erased_at: datetime | None
    erased_by: str | None
    erasure_rationale: str | None
    history: list[StatusChangeOut]
    decisions: list[DecisionOut]


class DecisionIn(BaseModel):
    status: DecisionStatus
    rationale: str = Field(min_length=1, max_length=5000)
    lcs_reference: str | None = Field(
        default=None, max_length=40, description="Required when the status is recorded_on_lcs"
    )

    @model_validator(mode="after")
    def _rules(self) -> DecisionIn:
        if not self.rationale.strip():
            raise ValueError("the rationale is required")
        if self.status == "recorded_on_lcs" and not (self.lcs_reference or "").strip():
            raise ValueError("recorded_on_lcs needs the LCS reference")
        return self


class ErasureIn(BaseModel):
    rationale: str = Field(min_length=1, max_length=5000)

    @field_validator("rationale")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the rationale is required")
        return value


class ChangeOut(BaseModel):
    reference: str
    status: Status
    lcs_reference: str | None
    by: str


class QueueVersion(BaseModel):
    version: str = Field(description="Changes whenever a contact is added, flagged or decided")
    counts: dict[str, int] = Field(description="Contacts per status")


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description='A staff username, "assistant", or "unknown"')
    action: str
    reference: str | None
    detail: dict[str, str | int | bool | None]


class AuditPage(BaseModel):
    total: int
    offset: int
    limit: int
    events: list[AuditEventOut]


class CountOut(BaseModel):
    label: str
    value: int


class DecisionTimesOut(BaseModel):
    bands: list[CountOut]
    decided: int
    awaiting: int
    median_minutes: int | None
    longest_minutes: int | None


class StatsOut(BaseModel):
    first_day: date
    last_day: date
    conversations: int
    conversations_by_day: list[CountOut]
    conversations_by_hour: list[CountOut]
    conversations_by_channel: list[CountOut]
    closed_attempts: int
    closed_attempts_by_day: list[CountOut]
    named_or_scenario: list[CountOut]
    by_suggested_level: list[CountOut]
    contacts_recorded: int
    significant_harm_contacts: int
    decision_times: DecisionTimesOut


def referrer(caller: CallerDetails) -> Referrer:
    return Referrer(
        name=caller.name,
        role=caller.role,
        agency=caller.agency,
        address=caller.address,
        phone=caller.phone,
        email=caller.email,
    )


def child(details: ChildDetails) -> Child:
    return Child(
        name=details.name,
        date_of_birth=details.date_of_birth,
        age_years=details.age_years,
        unborn=details.unborn,
        address=details.address,
        setting=details.setting,
        carers=details.carers,
    )


def list_item(view: ContactView) -> ContactListItem:
    return ContactListItem(
        reference=view.reference,
        created_at=view.created_at,
        updated_at=view.updated_at,
        channel=view.channel,
        status=view.status,  # type: ignore[arg-type]
        significant_harm=view.significant_harm,
        immediate_danger=view.immediate_danger,
        harm_categories=view.harm_categories,
        suggested_level=view.suggested_level,
        lcs_reference=view.lcs_reference,
        referrer=referrer(view.caller),
        child=child(view.child),
    )


def contact_out(view: ContactView) -> ContactOut:
    return ContactOut(
        **list_item(view).model_dump(),
        level_reasons=view.level_reasons,
        next_steps=view.next_steps,
        threshold_answers=view.threshold_answers,
        concern=view.concern,
        family_aware=view.family_aware,
        advice_given=view.advice_given,
        erased_at=view.erased_at,
        erased_by=view.erased_by,
        erasure_rationale=view.erasure_rationale,
        history=[
            StatusChangeOut(
                at=h.at, by=h.by, from_status=h.from_status, to_status=h.to_status,
                rationale=h.rationale,
            )
            for h in view.history
        ],
        decisions=[
            DecisionOut(
                at=d.at, by=d.by, status=d.status, rationale=d.rationale,
                lcs_reference=d.lcs_reference,
            )
            for d in view.decisions
        ],
    )


def audit_event(entry: AuditEntry) -> AuditEventOut:
    return AuditEventOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        reference=entry.reference,
        detail=entry.detail,
    )


def _counts(counts: list[Count]) -> list[CountOut]:
    return [CountOut(label=c.label, value=c.value) for c in counts]


def stats_out(report: StatisticsReport) -> StatsOut:
    times = report.decision_times
    return StatsOut(
        first_day=report.first_day,
        last_day=report.last_day,
        conversations=report.conversations,
        conversations_by_day=_counts(report.conversations_by_day),
        conversations_by_hour=_counts(report.conversations_by_hour),
        conversations_by_channel=_counts(report.conversations_by_channel),
        closed_attempts=report.closed_attempts,
        closed_attempts_by_day=_counts(report.closed_attempts_by_day),
        named_or_scenario=_counts(report.named_or_scenario),
        by_suggested_level=_counts(report.by_suggested_level),
        contacts_recorded=report.contacts_recorded,
        significant_harm_contacts=report.significant_harm_contacts,
        decision_times=DecisionTimesOut(
            bands=_counts(times.bands),
            decided=times.decided,
            awaiting=times.awaiting,
            median_minutes=times.median_minutes,
            longest_minutes=times.longest_minutes,
        ),
    )
