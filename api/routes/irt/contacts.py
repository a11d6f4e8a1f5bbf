"""The managers' contact pages: the queue (`GET /irt`), a contact (`GET /irt/contacts/{ref}`),
a decision and an erasure (form POSTs), and the CSV export of a selection
(`GET /irt/contacts.csv`). Each request writes one audit event (bot.services.contacts)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from api.deps import CheckedForm, ServicesDep, StaffSessionDep
from api.irt_exports import csv_response
from api.irt_filters import (
    CHANNEL_CHOICES,
    DATE_LABELS,
    HARM_CHOICES,
    STATUS_CHOICES,
    ContactFilters,
)
from api.irt_pages import STATUS_LABELS, THRESHOLD_LABELS, page
from api.routes.irt.account import REAUTHENTICATION_REFUSED, reauthenticate
from api.services import AppServices
from api.staff_cookies import StaffPageError
from bot.domain.contact import (
    DECISION_STATUSES,
    MAX_LCS_REFERENCE,
    MAX_RATIONALE,
    ContactNotFoundError,
    ContactRuleError,
    ContactStatus,
    ContactView,
    Problem,
    decision_problems,
    erasure_problems,
)
from bot.domain.staff import MAX_PASSWORD_LENGTH
from bot.services import contacts as use_cases
from bot.services.staff_auth import ActiveSession

router = APIRouter(prefix="/irt", include_in_schema=False)

REFERENCE = re.compile(r"PCL-\d{4}-\d{6}")
POLL_SECONDS = 3
DECISION_CHOICES = [
    (s.value, STATUS_LABELS[s.value]) for s in ContactStatus if s in DECISION_STATUSES
]


# The form's fields, and how the page words each problem the contact's rules find.
DECISION_FIELDS = {
    "status": "decision-status",
    "rationale": "decision-rationale",
    "lcs_reference": "decision-lcs-reference",
}
DECISION_ERRORS = {
    ("status", Problem.NOT_A_DECISION): "Choose the contact's new status",
    ("rationale", Problem.MISSING): "Enter the rationale for the decision",
    ("rationale", Problem.TOO_LONG): f"The rationale must be {MAX_RATIONALE} characters or fewer",
    ("lcs_reference", Problem.MISSING): "Enter the LCS reference the contact was recorded under",
    ("lcs_reference", Problem.TOO_LONG): (
        f"The LCS reference must be {MAX_LCS_REFERENCE} characters or fewer"
    ),
}
ERASURE_ERRORS = {
    Problem.MISSING: "Enter why this contact is being erased",
    Problem.TOO_LONG: f"The reason must be {MAX_RATIONALE} characters or fewer",
}


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


# --- the queue ------------------------------------------------------------------------------


@router.get("")
def queue(
    request: Request,
    services: ServicesDep,
    active: StaffSessionDep,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    filters = ContactFilters.from_query(request.query_params)
    queue = use_cases.show_queue(
        services.unit_of_work(),
        active.member.username,
        filters.selection(services.facts.timezone),
        facts=services.facts,
        now=services.clock.now(),
        detail=dict(filters.audit_detail()),
        page=page_number,
    )
    query = filters.as_query()
    return page(
        request,
        services,
        "irt/queue.html",
        active,
        filters=filters,
        rows=queue.rows,
        queue=queue,
        pagination_base=f"/irt?{query}&" if query else "/irt?",
        counts=queue.counts,
        version=queue.version,
        poll_seconds=POLL_SECONDS,
        status_choices=STATUS_CHOICES,
        channel_choices=CHANNEL_CHOICES,
        harm_choices=HARM_CHOICES,
        decision_days=services.facts.irt.decision_working_days,
        date_labels=DATE_LABELS,
        csv_href="/irt/contacts.csv" + (f"?{query}" if query else ""),
    )


@router.get("/contacts.csv")
def contacts_csv(request: Request, services: ServicesDep, active: StaffSessionDep) -> Response:
    """The queue's selection (the same filters) as CSV for entry on LCS."""
    filters = ContactFilters.from_query(request.query_params)
    text = use_cases.export_contacts(
        services.unit_of_work(),
        active.member.username,
        filters.selection(services.facts.timezone),
        timezone=services.facts.timezone,
        detail={"via": "page", **filters.audit_detail()},
        facts=services.facts,
        now=services.clock.now(),
    )
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
    try:
        return use_cases.view_contact(
            services.unit_of_work(), active.member.username, reference, detail=dict(detail)
        )
    except ContactNotFoundError:
        raise _not_found() from None


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
    errors = {
        DECISION_FIELDS[name]: DECISION_ERRORS[name, problem]
        for name, problem in decision_problems(status, rationale, lcs_reference).items()
    }
    if not errors:
        try:
            use_cases.record_decision(
                services.unit_of_work(),
                active.member.username,
                reference,
                status=status,
                rationale=rationale,
                lcs_reference=lcs_reference if status == ContactStatus.RECORDED_ON_LCS else None,
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
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    check_reference(reference)
    rationale = rationale.strip()
    errors = {
        "erasure-" + name.replace("_", "-"): ERASURE_ERRORS[problem]
        for name, problem in erasure_problems(rationale).items()
    }
    # An erasure cannot be undone: the password and a fresh code again, not the session alone.
    if not errors and not reauthenticate(services, active, password, code):
        errors["erasure-password"] = REAUTHENTICATION_REFUSED
    if not errors:
        try:
            use_cases.erase_contact(
                services.unit_of_work(), active.member.username, reference, rationale=rationale
            )
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
