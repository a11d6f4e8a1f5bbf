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
from api.irt_exports import csv_response, export_contacts
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
from api.services import AppServices
from bot.adapters.db.audit import AuditAction
from bot.adapters.db.contacts import ContactNotFoundError, ContactRepository, ContactRuleError

router = APIRouter(prefix="/irt/api", tags=["IRT: contacts"])

LIST_LIMIT = 500
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


def _repository(session: Any, services: AppServices) -> ContactRepository:
    return ContactRepository(session, services.cipher, services.clock, services.facts.timezone)


StatusQuery = Annotated[
    Status | None, Query(description="Only this status (without it: all but erased)")
]
HarmQuery = Annotated[bool | None, Query(description="Only flagged (true) or unflagged (false)")]
ChannelQuery = Annotated[Channel | None, Query()]
FromQuery = Annotated[date | None, Query(description="Received on or after this day (UK)")]
ToQuery = Annotated[date | None, Query(description="Received on or before this day (UK)")]




def contact_filters(
    status: StatusQuery = None,
    significant_harm: HarmQuery = None,
    channel: ChannelQuery = None,
    created_from: FromQuery = None,
    created_to: ToQuery = None,
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
    )


FiltersDep = Annotated[ContactFilters, Depends(contact_filters)]


@router.get("/contacts", response_model=list[ContactListItem], responses=AUTH_ERRORS)
def list_contacts(
    *,
    services: ServicesDep,
    active: StaffSessionDep,
    filters: FiltersDep,
) -> list[ContactListItem]:
    """The queue: significant harm first, then the oldest. Each carries its referrer and child,
    so a list is audited as a read of those contacts."""
    zone = services.facts.timezone
    with services.sessions.begin() as session:
        contacts = _repository(session, services)
        summaries = contacts.list(limit=LIST_LIMIT, **filters.repository_arguments(zone))
        views = [contacts.get(s.reference) for s in summaries]
        contacts.add_audit(
            active.member.username,
            AuditAction.LIST_CONTACTS,
            detail={
                "count": len(views),
                "references": " ".join(v.reference for v in views),
                **filters.audit_detail(),
            },
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
    return csv_response(export_contacts(services, active.member, filters, via="api"), services)


@router.get("/queue-version", response_model=QueueVersion, responses=AUTH_ERRORS)
def queue_version(services: ServicesDep, active: StaffSessionDep) -> QueueVersion:
    """A number that changes when the queue does, for an open page to poll (not audited: it
    says nothing about any contact). Send `X-PCL-Background: 1` so that polling does not keep
    an idle session alive."""
    with services.sessions.begin() as session:
        contacts = _repository(session, services)
        return QueueVersion(version=contacts.queue_version(), counts=contacts.count_by_status())


@router.get(
    "/contacts/{reference}",
    response_model=ContactOut,
    responses={**AUTH_ERRORS, 404: {"model": Problem}},
)
def get_contact(
    reference: ReferencePath, services: ServicesDep, active: StaffSessionDep
) -> ContactOut:
    """Everything recorded about one contact (audited as a view)."""
    with services.sessions.begin() as session:
        contacts = _repository(session, services)
        try:
            view = contacts.get(reference)
        except ContactNotFoundError:
            raise HTTPException(404, "No contact with that reference") from None
        contacts.add_audit(
            active.member.username, AuditAction.VIEW_CONTACT, reference, {"via": "api"}
        )
    return contact_out(view)


def _change(
    services: AppServices,
    reference: str,
    action: AuditAction,
    username: str,
    change: Callable[[ContactRepository], dict[str, str | int | bool | None]],
) -> ChangeOut:
    """Makes one change and its one audit event, in one transaction."""
    with services.sessions.begin() as session:
        contacts = _repository(session, services)
        try:
            detail = change(contacts)
        except ContactNotFoundError:
            raise HTTPException(404, "No contact with that reference") from None
        except ContactRuleError as error:
            raise HTTPException(409, str(error)) from None
        contacts.add_audit(username, action, reference, detail)
        after = contacts.get(reference)
    return ChangeOut(
        reference=reference,
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

    def decide(contacts: ContactRepository) -> dict[str, str]:
        contacts.record_decision(
            reference,
            by=username,
            status=decision.status,
            rationale=decision.rationale,
            lcs_reference=decision.lcs_reference,
        )
        return {"status": decision.status, "via": "api"}

    return _change(services, reference, AuditAction.RECORD_DECISION, username, decide)


@router.post("/contacts/{reference}/erasure", response_model=ChangeOut, responses=POST_ERRORS)
def erase_contact(
    reference: ReferencePath,
    erasure: ErasureIn,
    services: ServicesDep,
    active: CheckedApiPost,
) -> ChangeOut:
    """Erases a contact's personal data, keeping a tombstone with who, when and why."""
    username = active.member.username

    def erase(contacts: ContactRepository) -> dict[str, str]:
        contacts.erase(reference, by=username, rationale=erasure.rationale)
        return {"via": "api"}

    return _change(services, reference, AuditAction.ERASE_CONTACT, username, erase)
