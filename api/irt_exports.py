"""The CSV export of a selection of contacts, for the page and the JSON API alike: one audit
event per export, naming the references it held."""

from __future__ import annotations

from fastapi import Response

from api.irt_filters import ContactFilters
from api.services import AppServices
from bot.adapters.db.audit import AuditAction
from bot.adapters.db.contacts import ContactRepository
from bot.domain.lcs_export import contacts_csv
from bot.services.staff_auth import StaffMember

EXPORT_LIMIT = 5000


def export_contacts(
    services: AppServices, member: StaffMember, filters: ContactFilters, via: str
) -> str:
    zone = services.facts.timezone
    with services.sessions.begin() as session:
        contacts = ContactRepository(session, services.cipher, services.clock, zone)
        summaries = contacts.list(limit=EXPORT_LIMIT, **filters.repository_arguments(zone))
        views = [contacts.get(s.reference) for s in summaries]
        contacts.add_audit(
            member.username,
            AuditAction.EXPORT_CONTACTS,
            detail={
                "via": via,
                "count": len(views),
                "references": " ".join(v.reference for v in views),
                **filters.audit_detail(),
            },
        )
    return contacts_csv(views, zone)


def csv_response(text: str, services: AppServices) -> Response:
    stamp = services.clock.now().strftime("%Y%m%d-%H%M")
    # A byte-order mark, so that Excel reads the UTF-8 (names with accents) as UTF-8.
    return Response(
        content="\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="pcl-contacts-{stamp}.csv"'},
    )
