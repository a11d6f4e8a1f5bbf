"""The audit trail as staff read it, and the names of what staff do (SPEC §4: every view,
export and change of a contact by staff is an audit event: who, what, when).

The names and the shape of an audit event; the database side is bot.adapters.db.audit. What is
audited, one event each:

- sign_in, sign_in_failed (the account name, or "unknown" when there is no such account; never
  the password), sign_out; second_factor_enrolled, password_changed, and
  reauthentication_failed (a wrong password or code before an erasure);
- view_queue: a page of the queue (summaries: references, times, flags; no personal data);
- list_contacts: the JSON list, which carries each contact's referrer and child;
- view_contact: a contact's page or its JSON (also a page shown again with a refused form);
- record_decision, erase_contact: the changes;
- export_contacts: a CSV export, with the references it held;
- add_account, disable_account, enable_account, remove_account, reset_password: an
  administrator's changes to an IRT manager's account (the account's name in the detail).

Not audited: the background check for queue changes (a version number, nothing about any
contact), the statistics (anonymous counts), the audit trail itself and the account list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

UNKNOWN_ACTOR = "unknown"


class AuditAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an action's name
    REAUTHENTICATION_FAILED = "reauthentication_failed"
    VIEW_QUEUE = "view_queue"
    LIST_CONTACTS = "list_contacts"
    VIEW_CONTACT = "view_contact"
    RECORD_DECISION = "record_decision"
    ERASE_CONTACT = "erase_contact"
    EXPORT_CONTACTS = "export_contacts"
    ADD_ACCOUNT = "add_account"
    DISABLE_ACCOUNT = "disable_account"
    ENABLE_ACCOUNT = "enable_account"
    REMOVE_ACCOUNT = "remove_account"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - an action's name


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    reference: str | None
    detail: dict[str, Any]
