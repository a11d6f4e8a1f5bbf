"""The audit trail: the page `GET /irt/audit` and `GET /irt/api/audit`, newest first, with
filters by reference, account and action. Reading the trail is not itself audited: it holds
who did what and when, never a contact's content."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from api.deps import ServicesDep, StaffSessionDep
from api.irt_pages import page
from api.irt_schemas import AuditPage, audit_event
from api.routes.irt.contacts_api import AUTH_ERRORS
from bot.domain.audit import AuditAction
from bot.services.reports import audit_trail

pages = APIRouter(prefix="/irt", include_in_schema=False)
api = APIRouter(prefix="/irt/api", tags=["IRT: audit"])

PAGE_SIZE = 50
ACTION_LABELS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in refused",
    "sign_out": "Signed out",
    "view_queue": "Viewed the queue",
    "list_contacts": "Listed contacts (API)",
    "view_contact": "Viewed a contact",
    "record_decision": "Recorded a decision",
    "erase_contact": "Erased a contact",
    "export_contacts": "Exported contacts (CSV)",
    "add_account": "Added an account",
    "disable_account": "Disabled an account",
    "enable_account": "Re-enabled an account",
    "remove_account": "Removed an account",
    "reset_password": "Reset an account's password",
}
ReferenceQuery = Annotated[str, Query(max_length=20)]
ActorQuery = Annotated[str, Query(max_length=120)]
ActionQuery = Annotated[str, Query(max_length=40)]


@pages.get("/audit")
def audit_page(
    *,
    request: Request,
    services: ServicesDep,
    active: StaffSessionDep,
    reference: ReferenceQuery = "",
    actor: ActorQuery = "",
    action: ActionQuery = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    reference, actor, action = reference.strip(), actor.strip(), action.strip()
    found = audit_trail(
        services.unit_of_work(),
        reference=reference,
        actor=actor,
        action=action,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    total, events = found.total, found.events
    last_page = max(1, -(-total // PAGE_SIZE))
    query = {"reference": reference, "actor": actor, "action": action}
    base = urlencode({k: v for k, v in query.items() if v})
    return page(
        request,
        services,
        "irt/audit.html",
        active,
        events=events,
        total=total,
        page_number=page_number,
        last_page=last_page,
        pagination_base="/irt/audit?" + (base + "&" if base else ""),
        reference=reference,
        actor=actor,
        action=action,
        action_labels=ACTION_LABELS,
        actions=[a.value for a in AuditAction],
    )


@api.get("/audit", response_model=AuditPage, responses=AUTH_ERRORS)
def audit_api(
    *,
    services: ServicesDep,
    active: StaffSessionDep,
    reference: ReferenceQuery = "",
    actor: ActorQuery = "",
    action: ActionQuery = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    """The audit trail, newest first."""
    found = audit_trail(
        services.unit_of_work(),
        reference=reference,
        actor=actor,
        action=action,
        limit=limit,
        offset=offset,
    )
    return AuditPage(
        total=found.total, offset=offset, limit=limit, events=[audit_event(e) for e in found.events]
    )
