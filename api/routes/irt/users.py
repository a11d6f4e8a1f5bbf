"""Administrators' pages: `GET /irt/admin/users` lists the staff accounts. Accounts are added,
disabled and removed with `python -m api.users` (on the server, by whoever runs the service)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import AdminUser, ServicesDep, StaffSessionDep
from api.irt_pages import page
from bot.services.staff_auth import staff_accounts

router = APIRouter(prefix="/irt/admin", include_in_schema=False)


@router.get("/users")
def users_page(
    request: Request, services: ServicesDep, active: StaffSessionDep, admin: AdminUser
) -> Response:
    now = services.clock.now()
    accounts = staff_accounts(services.unit_of_work())
    return page(request, services, "irt/users.html", active, accounts=accounts, now=now)
