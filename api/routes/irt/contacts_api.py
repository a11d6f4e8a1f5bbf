"""The staff JSON API for contacts (SPEC §8): list, one contact, a decision, an erasure, the
CSV export, and the queue's version for a page watching for new contacts.

Same rules as the pages: a valid session cookie (401 otherwise), the X-CSRF-Token header on
every POST (403 otherwise), one audit event per request that reads or changes a contact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from api.deps import CheckedApiPost, ServicesDep, StaffSessionDep
from api.irt_exports import csv_response
from api.irt_filters import ALL, ContactFilters
from api.irt_schemas import (
    ChangeOut,
    Channel,
    ContactListItem,
    ContactOut,
    DecisionIn,
    ErasureIn,
    QueueVersion,
    Status,
    contact_out,
    list_item,
)
from api.problems import UNREADABLE_BODY, Problem, invalid_query
from api.routes.irt.account import REAUTHENTICATION_REFUSED, reauthenticate
from bot.domain.contact import ContactNotFoundError, ContactRuleError, ContactView
from bot.services import contacts as use_cases

router = APIRouter(prefix="/irt/api", tags=["IRT: contacts"])

ReferencePath = Annotated[str, Path(pattern=r"^PCL-\d{4}-\d{6}$", examples=["PCL-2026-000123"])]
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Not signed in, or the session has ended"},
}
POST_ERRORS: dict[int | str, dict[str, Any]] = {
    **UNREADABLE_BODY,
    **AUTH_ERRORS,
    403: {"model": Problem, "description": "No X-CSRF-Token header, or the wrong one"},
    404: {"model": Problem, "description": "No contact with that reference"},
    409: {"model": Problem, "description": "The contact's rules refuse the change"},
}


StatusQuery = Annotated[
    Status | None, Query(description="Only this status (without it: all but erased)")
]
HarmQuery = Annotated[bool | None, Query(description="Only flagged (true) or unflagged (false)")]
ChannelQuery = Annotated[Channel | None, Query()]
FromQuery = Annotated[date | None, Query(description="Received on or after this day (UK)")]
ToQuery = Annotated[date | None, Query(description="Received on or before this day (UK)")]
OverdueQuery = Annotated[
    bool,
    Query(
        description="Only contacts still waiting for a decision after the IRT's decision "
        "time (one working day of its hours), as the queue's filter"
    ),
]


def contact_filters(
    *,
    status: StatusQuery = None,
    significant_harm: HarmQuery = None,
    channel: ChannelQuery = None,
    created_from: FromQuery = None,
    created_to: ToQuery = None,
    overdue: OverdueQuery = False,
) -> ContactFilters:
    """The query's selection, shared by the list and the CSV (declared after the session, so
    that a caller who is not signed in learns nothing from it)."""
    if created_from and created_to and created_to < created_from:
        raise invalid_query("created_to", "created_to is before created_from")
    return ContactFilters(
        status=status or ALL,
        channel=channel or "",
        significant_harm="" if significant_harm is None else ("yes" if significant_harm else "no"),
        date_from=created_from,
        date_to=created_to,
        overdue=overdue,
    )


FiltersDep = Annotated[ContactFilters, Depends(contact_filters)]


@router.get("/contacts", response_model=list[ContactListItem], responses=AUTH_ERRORS)
def list_contacts(
    *,
    services: ServicesDep,
    active: StaffSessionDep,
    filters: FiltersDep,
) -> list[ContactListItem]:
    """The queue: significant harm first, then the oldest; contacts from a possible flood
    (`flooding_source`) after all the others. Each carries its referrer and child,
    so a list is audited as a read of those contacts."""
    views = use_cases.list_contacts(
        services.unit_of_work(),
        active.member.username,
        filters.selection(services.facts.timezone),
        detail=dict(filters.audit_detail()),
        facts=services.facts,
        now=services.clock.now(),
    )
    return [list_item(v) for v in views]


@router.get(
    "/contacts.csv",
    response_class=Response,
    responses={**AUTH_ERRORS, 200: {"content": {"text/csv": {}}, "description": "CSV for LCS"}},
)
def contacts_csv(
    *,
    services: ServicesDep,
    active: StaffSessionDep,
    filters: FiltersDep,
) -> Response:
    """The same selection as CSV, every cell safe from spreadsheet formulas."""
    text = use_cases.export_contacts(
        services.unit_of_work(),
        active.member.username,
        filters.selection(services.facts.timezone),
        timezone=services.facts.timezone,
        detail={"via": "api", **filters.audit_detail()},
        facts=services.facts,
        now=services.clock.now(),
    )
    return csv_response(text, services)


@router.get("/queue-version", response_model=QueueVersion, responses=AUTH_ERRORS)
def queue_version(services: ServicesDep, active: StaffSessionDep) -> QueueVersion:
    """A number that changes when the queue does, for an open page to poll (not audited: it
    says nothing about any contact). Send `X-PCL-Background: 1` so that polling does not keep
    an idle session alive."""
    version, counts = use_cases.queue_version(services.unit_of_work())
    return QueueVersion(version=version, counts=counts)


@router.get(
    "/contacts/{reference}",
    response_model=ContactOut,
    responses={**AUTH_ERRORS, 404: {"model": Problem}},
)
def get_contact(
    reference: ReferencePath, services: ServicesDep, active: StaffSessionDep
) -> ContactOut:
    """Everything recorded about one contact (audited as a view)."""
    try:
        view = use_cases.view_contact(
            services.unit_of_work(), active.member.username, reference, detail={"via": "api"}
        )
    except ContactNotFoundError:
        raise HTTPException(404, "No contact with that reference") from None
    return contact_out(view)


def _changed(username: str, change: Callable[[], ContactView]) -> ChangeOut:
    """Runs one change (a use case), answering 404 or 409 for what it refuses."""
    try:
        after = change()
    except ContactNotFoundError:
        raise HTTPException(404, "No contact with that reference") from None
    except ContactRuleError as error:
        raise HTTPException(409, str(error)) from None
    return ChangeOut(
        reference=after.reference,
        status=after.status,  # type: ignore[arg-type]
        lcs_reference=after.lcs_reference,
        by=username,
    )


@router.post("/contacts/{reference}/decision", response_model=ChangeOut, responses=POST_ERRORS)
def record_decision(
    reference: ReferencePath,
    decision: DecisionIn,
    services: ServicesDep,
    active: CheckedApiPost,
) -> ChangeOut:
    """A manager's decision: the new status and its rationale (and the LCS reference when the
    contact is recorded on LCS)."""
    username = active.member.username
    return _changed(
        username,
        lambda: use_cases.record_decision(
            services.unit_of_work(),
            username,
            reference,
            status=decision.status,
            rationale=decision.rationale,
            lcs_reference=decision.lcs_reference,
            detail={"via": "api"},
        ),
    )


@router.post("/contacts/{reference}/erasure", response_model=ChangeOut, responses=POST_ERRORS)
def erase_contact(
    reference: ReferencePath,
    erasure: ErasureIn,
    services: ServicesDep,
    active: CheckedApiPost,
) -> ChangeOut:
    """Erases a contact's personal data, keeping a tombstone with who, when and why. It cannot
    be undone, so it needs the member's `password` and a fresh `otp` again (403 otherwise)."""
    if not reauthenticate(services, active, erasure.password, erasure.otp):
        raise HTTPException(403, REAUTHENTICATION_REFUSED)
    username = active.member.username
    return _changed(
        username,
        lambda: use_cases.erase_contact(
            services.unit_of_work(),
            username,
            reference,
            rationale=erasure.rationale,
            detail={"via": "api"},
        ),
    )
