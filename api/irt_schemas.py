"""The staff JSON API's shapes (SPEC §8), so the OpenAPI schema describes every answer.

A contact has at least `reference`, `created_at`, `channel`, `status`, `significant_harm`,
`suggested_level`, `referrer` and `child`; the full view adds everything recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.audit import AuditEntry
from bot.domain.contact import MAX_LCS_REFERENCE, MAX_RATIONALE, ContactView
from bot.domain.reports import StatisticsReport

Status = Literal[
    "new", "in_review", "passed_to_irt", "recorded_on_lcs", "no_further_action", "erased"
]
DecisionStatus = Literal["in_review", "passed_to_irt", "recorded_on_lcs", "no_further_action"]
Channel = Literal["web", "sms"]


class FromRecord(BaseModel):
    """An answer read straight from a record's dataclass (`Model.model_validate(record)`):
    the fields are the record's attributes of the same names."""

    model_config = ConfigDict(from_attributes=True)


class Referrer(FromRecord):
    """The professional who made the contact."""

    name: str | None
    role: str | None
    agency: str | None
    address: str | None
    phone: str | None
    email: str | None


class Child(FromRecord):
    name: str | None
    date_of_birth: date | None
    age_years: int | None
    unborn: bool
    address: str | None
    setting: str | None = Field(description="School, nursery or other setting")
    carers: str | None


class StatusChangeOut(FromRecord):
    at: datetime
    by: str
    from_status: str | None
    to_status: str
    rationale: str | None


class DecisionOut(FromRecord):
    at: datetime
    by: str
    status: str
    rationale: str | None
    lcs_reference: str | None


class ContactListItem(FromRecord):
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
    flooding_source: bool = Field(
        description="Flagged by a client that had flagged more than its allowance within the "
        "hour (a possible flood): listed after the others"
    )
    # The record calls the professional `caller`.
    referrer: Referrer = Field(validation_alias=AliasChoices("referrer", "caller"))
    child: Child


class ContactOut(ContactListItem):
    level_reasons: list[str]
    next_steps: list[str]
    threshold_answers: dict[str, str]
    concern: str | None
    family_aware: str | None
    # Why it was shared without the family's consent (ISA "Consent"); null when not asked.
    consent_reason: str | None
    advice_given: str | None
    erased_at: datetime | None
    erased_by: str | None
    erasure_rationale: str | None
    history: list[StatusChangeOut]
    decisions: list[DecisionOut]


class DecisionIn(BaseModel):
    status: DecisionStatus
    rationale: str = Field(min_length=1, max_length=MAX_RATIONALE)
    lcs_reference: str | None = Field(
        default=None,
        max_length=MAX_LCS_REFERENCE,
        description="Required when the status is recorded_on_lcs",
    )

    @model_validator(mode="after")
    def _rules(self) -> DecisionIn:
        if not self.rationale.strip():
            raise ValueError("the rationale is required")
        if self.status == "recorded_on_lcs" and not (self.lcs_reference or "").strip():
            raise ValueError("recorded_on_lcs needs the LCS reference")
        return self


class ErasureIn(BaseModel):
    rationale: str = Field(min_length=1, max_length=MAX_RATIONALE)
    password: str = Field(default="", max_length=1024, description="The member's password again")
    otp: str = Field(default="", max_length=40, description="A fresh code of the member's TOTP")

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


class AuditEventOut(FromRecord):
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


class CountOut(FromRecord):
    label: str
    value: int


class DecisionTimesOut(FromRecord):
    bands: list[CountOut]
    decided: int
    awaiting: int
    median_minutes: int | None
    longest_minutes: int | None


class StatsOut(FromRecord):
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


def list_item(view: ContactView) -> ContactListItem:
    return ContactListItem.model_validate(view)


def contact_out(view: ContactView) -> ContactOut:
    return ContactOut.model_validate(view)


def audit_event(entry: AuditEntry) -> AuditEventOut:
    return AuditEventOut.model_validate(entry)


def stats_out(report: StatisticsReport) -> StatsOut:
    return StatsOut.model_validate(report)
