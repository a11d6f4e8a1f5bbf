"""The managers' contact pages: the queue (`GET /irt`), a contact (`GET /irt/contacts/{ref}`),
a decision and an erasure (form POSTs), and the CSV export of a selection
(`GET /irt/contacts.csv`). Each request writes one audit event (bot.adapters.db.audit)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from api.deps import CheckedForm, ServicesDep, StaffSessionDep
from api.irt_exports import csv_response, export_contacts
from api.irt_filters import CHANNEL_CHOICES, HARM_CHOICES, STATUS_CHOICES, ContactFilters
from api.irt_pages import STATUS_LABELS, THRESHOLD_LABELS, page
from api.services import AppServices
from api.staff_auth import StaffPageError
from bot.adapters.db.audit import AuditAction
from bot.adapters.db.contacts import (
    DECISION_STATUSES,
    ContactNotFoundError,
    ContactRepository,
    ContactRuleError,
    ContactStatus,
    ContactView,
)
from bot.services.staff_auth import ActiveSession

router = APIRouter(prefix="/irt", include_in_schema=False)

REFERENCE = re.compile(r"PCL-\d{4}-\d{6}")
QUEUE_LIMIT = 500
POLL_SECONDS = 3
MAX_RATIONALE = 5000
MAX_LCS_REFERENCE = 40
DECISION_CHOICES = [
    (s.value, STATUS_LABELS[s.value]) for s in ContactStatus if s in DECISION_STATUSES
]


def _not_found() -> StaffPageError:
    return StaffPageError(
        404,
        "Contact not found",
        "There is no contact with that reference. Check it and try again.",
    )


def check_reference(reference: str) -> str:
    if not REFERENCE.fullmatch(reference):
        raise _not_found()
    return reference


def _repository(session: Any, services: AppServices) -> ContactRepository:
    return ContactRepository(session, services.cipher, services.clock, services.facts.timezone)


# --- the queue ------------------------------------------------------------------------------


@router.get("")
def queue(request: Request, services: ServicesDep, active: StaffSessionDep) -> Response:
    filters = ContactFilters.from_query(request.query_params)
    with services.sessions.begin() as session:
        contacts = _repository(session, services)
        rows = contacts.list(
            limit=QUEUE_LIMIT + 1, **filters.repository_arguments(services.facts.timezone)
        )
        counts = contacts.count_by_status()
        version = contacts.queue_version()
        contacts.add_audit(
            active.member.username,
            AuditAction.VIEW_QUEUE,
            detail={"count": min(len(rows), QUEUE_LIMIT), **filters.audit_detail()},
        )
    query = filters.as_query()
    return page(
        request,
        services,
        "irt/queue.html",
        active,
        filters=filters,
        rows=rows[:QUEUE_LIMIT],
        more=len(rows) > QUEUE_LIMIT,
        limit=QUEUE_LIMIT,
        counts=counts,
        version=version,
        poll_seconds=POLL_SECONDS,
        status_choices=STATUS_CHOICES,
        channel_choices=CHANNEL_CHOICES,
        harm_choices=HARM_CHOICES,
        csv_href="/irt/contacts.csv" + (f"?{query}" if query else ""),
    )


@router.get("/contacts.csv")
def contacts_csv(request: Request, services: ServicesDep, active: StaffSessionDep) -> Response:
    """The queue's selection (the same filters) as CSV for entry on LCS."""
    filters = ContactFilters.from_query(request.query_params)
    text = export_contacts(services, active.member, filters, via="page")
    return csv_response(text, services)


# --- a contact ------------------------------------------------------------------------------


def _contact_page(
    request: Request,
    services: ServicesDep,
    active: ActiveSession,
    view: ContactView,
    *,
    status_code: int = 200,
    decision: dict[str, str] | None = None,
    decision_errors: dict[str, str] | None = None,
    erasure_errors: dict[str, str] | None = None,
    erasure: dict[str, str] | None = None,
) -> Response:
    done = request.query_params.get("done")
    return page(
        request,
        services,
        "irt/contact.html",
        active,
        status_code=status_code,
        contact=view,
        done=done if done in ("decision", "erasure") else None,
        decision=decision or {},
        decision_errors=decision_errors or {},
        decision_choices=DECISION_CHOICES,
        erasure=erasure or {},
        erasure_errors=erasure_errors or {},
        threshold_labels=THRESHOLD_LABELS,
    )


def _view_and_audit(
    services: AppServices, active: ActiveSession, reference: str, **detail: str
) -> ContactView:
    """The contact, with the one audit event of looking at it."""
    with services.sessions.begin() as session:
        contacts = _repository(session, services)
        try:
            view = contacts.get(reference)
        except ContactNotFoundError:
            raise _not_found() from None
        contacts.add_audit(
            active.member.username, AuditAction.VIEW_CONTACT, reference, detail or None
        )
    return view


@router.get("/contacts/{reference}")
def contact(
    request: Request, reference: str, services: ServicesDep, active: StaffSessionDep
) -> Response:
    view = _view_and_audit(services, active, check_reference(reference), via="page")
    return _contact_page(request, services, active, view)


@router.post("/contacts/{reference}/decision")
def record_decision(
    *,
    request: Request,
    reference: str,
    services: ServicesDep,
    active: CheckedForm,
    status: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
    lcs_reference: Annotated[str, Form()] = "",
) -> Response:
    check_reference(reference)
    rationale, lcs_reference = rationale.strip(), lcs_reference.strip()
    errors: dict[str, str] = {}
    if status not in dict(DECISION_CHOICES):
        errors["decision-status"] = "Choose the contact's new status"
    if not rationale:
        errors["decision-rationale"] = "Enter the rationale for the decision"
    elif len(rationale) > MAX_RATIONALE:
        errors["decision-rationale"] = f"The rationale must be {MAX_RATIONALE} characters or fewer"
    if status == ContactStatus.RECORDED_ON_LCS and not lcs_reference:
        errors["decision-lcs-reference"] = "Enter the LCS reference the contact was recorded under"
    elif len(lcs_reference) > MAX_LCS_REFERENCE:
        errors["decision-lcs-reference"] = (
            f"The LCS reference must be {MAX_LCS_REFERENCE} characters or fewer"
        )
    if not errors:
        try:
            with services.sessions.begin() as session:
                contacts = _repository(session, services)
                contacts.record_decision(
                    reference,
                    by=active.member.username,
                    status=status,
                    rationale=rationale,
                    lcs_reference=lcs_reference if status == ContactStatus.RECORDED_ON_LCS
                    else None,
                )
                contacts.add_audit(
                    active.member.username,
                    AuditAction.RECORD_DECISION,
                    reference,
                    {"status": status},
                )
            return RedirectResponse(f"/irt/contacts/{reference}?done=decision", status_code=303)
        except ContactNotFoundError:
            raise _not_found() from None
        except ContactRuleError:
            errors["decision-status"] = "This contact can no longer be changed"
    # The form again, with the contact: showing it is a view of the contact.
    view = _view_and_audit(services, active, reference, via="page", refused="decision")
    return _contact_page(
        request,
        services,
        active,
        view,
        decision={"status": status, "rationale": rationale, "lcs_reference": lcs_reference},
        decision_errors=errors,
    )


@router.post("/contacts/{reference}/erase")
def erase(
    *,
    request: Request,
    reference: str,
    services: ServicesDep,
    active: CheckedForm,
    rationale: Annotated[str, Form()] = "",
) -> Response:
    check_reference(reference)
    rationale = rationale.strip()
    errors: dict[str, str] = {}
    if not rationale:
        errors["erasure-rationale"] = "Enter why this contact is being erased"
    elif len(rationale) > MAX_RATIONALE:
        errors["erasure-rationale"] = f"The reason must be {MAX_RATIONALE} characters or fewer"
    if not errors:
        try:
            with services.sessions.begin() as session:
                contacts = _repository(session, services)
                contacts.erase(reference, by=active.member.username, rationale=rationale)
                contacts.add_audit(active.member.username, AuditAction.ERASE_CONTACT, reference)
            return RedirectResponse(f"/irt/contacts/{reference}?done=erasure", status_code=303)
        except ContactNotFoundError:
            raise _not_found() from None
        except ContactRuleError:
            errors["erasure-rationale"] = "This contact has already been erased"
    view = _view_and_audit(services, active, reference, via="page", refused="erasure")
    return _contact_page(
        request,
        services,
        active,
        view,
        erasure={"rationale": rationale},
        erasure_errors=errors,
    )
