"""The named-child contact from the tracker's answers: created early by a significant-harm
handoff (so the IRT sees it at once) or at the end, and completed as the answers come in."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from rasa_sdk import Tracker

from actions.common import channel, now
from actions.services import get_services
from actions.slots import Slot
from bot.domain.consultation import CALLER_SLOTS, THRESHOLD_SLOTS
from bot.domain.contact import CallerDetails, ChildDetails, NewContact
from bot.domain.duty_questions import OTHER_CHILDREN
from bot.domain.levels import Suggestion
from bot.domain.privacy import keyed_hash
from bot.domain.statistics import StatEntry
from bot.services.records import FlaggedBy, record_contact

DOB_AGE_PREFIX = "age "
# The API's keyed hash of a client (api.rate_limits.Limits.client_key): hex, nothing else.
CLIENT_KEY = re.compile(r"[0-9a-f]{16,64}")
DOB_UNBORN = "unborn"


def child_dob_slot(date_of_birth: date | None, age_years: int | None, unborn: bool) -> str:
    """How a validated date of birth, age or "unborn" is kept in the `child_dob` slot."""
    if unborn:
        return DOB_UNBORN
    if date_of_birth is not None:
        return date_of_birth.isoformat()
    return f"{DOB_AGE_PREFIX}{age_years}"


def _child(tracker: Tracker) -> ChildDetails:
    dob = tracker.get_slot(Slot.CHILD_DOB) or ""
    born = age = None
    if dob.startswith(DOB_AGE_PREFIX):
        age = int(dob.removeprefix(DOB_AGE_PREFIX))
    elif dob and dob != DOB_UNBORN:
        born = date.fromisoformat(dob)
    return ChildDetails(
        name=tracker.get_slot(Slot.CHILD_NAME),
        date_of_birth=born,
        age_years=age,
        unborn=dob == DOB_UNBORN,
        address=tracker.get_slot(Slot.CHILD_ADDRESS),
        setting=tracker.get_slot(Slot.CHILD_SETTING),
        carers=tracker.get_slot(Slot.CHILD_CARERS),
    )


def _caller(tracker: Tracker) -> CallerDetails:
    name, role, agency, address, phone = (tracker.get_slot(s) for s in CALLER_SLOTS)
    email = address if address and "@" in address else None
    return CallerDetails(
        name=name, role=role, agency=agency, address=address, phone=phone, email=email
    )


def contact_from(
    tracker: Tracker,
    *,
    suggestion: Suggestion | None,
    significant_harm: bool,
    immediate_danger: bool,
    harm_categories: list[str],
    advice_given: str | None,
) -> NewContact:
    answers = {s.removeprefix("q_"): tracker.get_slot(s) for s in THRESHOLD_SLOTS}
    answers[OTHER_CHILDREN] = tracker.get_slot(OTHER_CHILDREN)  # Think Family (§3.14)
    answers["dash_grade"] = tracker.get_slot("dash_grade")  # domestic abuse (§5.2)
    return NewContact(
        channel=channel(tracker),
        created_at=now(),
        caller=_caller(tracker),
        child=_child(tracker),
        concern=tracker.get_slot(Slot.CONCERN),
        family_aware=tracker.get_slot(Slot.FAMILY_AWARE),
        consent_reason=tracker.get_slot(Slot.CONSENT_REASON),
        threshold_answers={k: v for k, v in answers.items() if v},
        suggested_level=suggestion.level.value if suggestion else None,
        level_reasons=list(suggestion.reasons) if suggestion else [],
        next_steps=list(suggestion.next_steps) if suggestion else [],
        significant_harm=significant_harm,
        immediate_danger=immediate_danger,
        harm_categories=harm_categories,
        advice_given=advice_given,
    )


def turn_origin(tracker: Tracker) -> str:
    """The contact's origin: a keyed hash of this turn (the conversation and the message's id,
    which a message sent again keeps), so that a turn run twice records one contact. Rasa
    runs a turn again when the first run failed part-way (rasa_ext.whole_turn)."""
    message_id = str(tracker.latest_message.get("message_id") or "")
    key = get_services().settings.hmac_key.get_secret_value()
    return keyed_hash(key, f"contact:{tracker.sender_id}:{message_id}")


def turn_client(tracker: Tracker) -> str | None:
    """Who sent this turn, as the API names them to Rasa: a keyed hash of the web client's
    address or of the SMS sender (the message's metadata), never the address. Never logged."""
    metadata = tracker.latest_message.get("metadata") or {}
    client = metadata.get("client") if isinstance(metadata, dict) else None
    return client if isinstance(client, str) and CLIENT_KEY.fullmatch(client) else None


def save_contact(
    contact: NewContact,
    reference: str | None,
    origin: str,
    *,
    counted: StatEntry | None = None,
    alert: Callable[[str], str] | None = None,
    flagged_by: str | None = None,
) -> str:
    """Create the contact (once per `origin`), or complete the one created earlier, with the
    statistic it counts and the IRT alert worded by `alert(reference)` in the same
    transaction; returns its reference. `flagged_by`: the client (turn_client) that flagged
    it just now, counted against its allowance."""
    services = get_services()
    return record_contact(
        services.unit_of_work(),
        contact,
        reference=reference,
        origin=origin,
        counted=counted,
        alert=alert,
        flagged_by=FlaggedBy(flagged_by, services.flood_meter) if flagged_by else None,
    )
