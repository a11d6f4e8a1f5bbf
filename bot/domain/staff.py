"""Staff roles: who may do what on the IRT review pages (SPEC §6)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    IRT_MANAGER = "irt_manager"
    ADMIN = "admin"
