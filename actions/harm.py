"""Rule 7, from any step and at any hour: the significant-harm use case
(`bot.services.significant_harm`) for a harm message, for the caller's "Yes" to the confirming
question and for their "Yes" to the threshold question. This module only reads the tracker,
calls the use case, and turns its outcome into replies and slots."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel, facts, latest_intent, latest_text, now, say
from actions.irt_alert import kick
from actions.records import contact_from, save_contact, turn_client, turn_origin
from actions.services import get_services
from actions.slots import Slot
from actions.stats import record_stat
from bot.adapters.harm_phrases import detect
from bot.domain.consent import reason_answer
from bot.domain.consultation import PROFESSIONAL, SCENARIO, role_from
from bot.domain.identifiers import identifying_details
from bot.domain.levels import suggest_level
from bot.domain.limits import MAX_CONCERN_CHARS
from bot.domain.significant_harm import Certainty, Channel
from bot.domain.statistics import StatEvent
from bot.domain.validation import clean_text
from bot.services.significant_harm import HarmSignalIn, respond_to_harm

logger = logging.getLogger(__name__)

# Beside the intent in Rasa's parse data (rasa_ext/harm_net.py).
HARM_SIGNAL_KEY = "harm_signal"
# The unconfirmed signal, kept while the confirming question is asked.
PENDING_SLOT = "harm_pending"


class _TrackerRecords:
    """The use case's port, for one turn of one conversation."""

    def __init__(self, tracker: Tracker, slots: dict[str, Any]) -> None:
        self._tracker, self._slots = tracker, slots

    def save_flagged_contact(self, alert_text: Callable[[str], str] | None) -> str:
        copy = self._tracker.copy()
        copy.slots.update(self._slots)
        immediate = bool(self._slots.get("immediate_danger"))
        contact = contact_from(
            copy,
            suggestion=suggest_level({}, significant_harm=True, immediate_danger=immediate),
            significant_harm=True,
            immediate_danger=immediate,
            harm_categories=list(self._slots.get("harm_categories") or []),
            advice_given=None,
        )
        # Alerts off (no PCL_IRT_ALERT_TO): no outbox row, nothing sent.
        alert = alert_text if get_services().settings.irt_alert_enabled else None
        reference = save_contact(
            contact,
            self._tracker.get_slot("contact_reference"),
            turn_origin(self._tracker),
            alert=alert,
            # Flagged now for the first time (its alert is due): counted against the client's
            # allowance, beyond which it is marked as from a possible flood.
            flagged_by=turn_client(self._tracker) if alert_text is not None else None,
        )
        logger.info("significant harm: contact %s flagged for the IRT", reference)
        if alert is not None:
            kick()  # committed with the contact: the sender delivers it now
        return reference

    def count(self, topic: str) -> None:
        record_stat(StatEvent.SIGNIFICANT_HARM, channel(self._tracker), topic=topic)


def harm_slots(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    certain: bool,
    immediate_danger: bool,
    categories: list[str],
    new_concern: str | None,
    consultation_type: str | None = None,
    new_signal: bool = True,
    classified: str | None = None,
) -> dict[str, Any]:
    """Runs the use case for this turn, says its replies, and returns the slots it sets."""
    at = now()
    kind = consultation_type or tracker.get_slot("consultation_type")
    concern = tracker.get_slot("concern")
    if new_concern and new_concern not in (concern or ""):
        # A concern typed early is kept as the concern, never asked for again (rule 14).
        concern = f"{concern}\n{new_concern}" if concern else new_concern
    immediate = immediate_danger or bool(tracker.get_slot("immediate_danger"))
    all_categories = sorted(set(tracker.get_slot("harm_categories") or []) | set(categories))
    confirmed_before = bool(tracker.get_slot("significant_harm"))
    reference = tracker.get_slot("contact_reference")
    slots: dict[str, Any] = {
        "concern": concern,
        "harm_categories": all_categories,
        "consultation_done": False,
    }
    found = identifying_details(concern or "", at.date()) if kind == SCENARIO else ()
    records = _TrackerRecords(
        tracker, {**slots, "immediate_danger": immediate, "significant_harm": True}
    )
    outcome = respond_to_harm(
        HarmSignalIn(
            certainty=Certainty.CERTAIN if certain else Certainty.UNCERTAIN,
            immediate_danger=immediate,
            channel=Channel(channel(tracker)),
            consultation_type=kind,
            identifying_details=found,
            already_confirmed=confirmed_before,
            already_flagged=confirmed_before and reference is not None,
            reference=reference,
            new_signal=new_signal,
        ),
        facts=facts(),
        at=at,
        records=records,
    )
    say(dispatcher, outcome.replies)
    if outcome.plan.confirm_first:
        # Nothing flagged: the form asks the confirming question next, in this same reply.
        slots[PENDING_SLOT] = {
            "immediate_danger": immediate,
            "categories": all_categories,
            # What the classifier made of it: domestic abuse gets its own route after a "No".
            "classified": classified,
        }
        slots["harm_categories"] = tracker.get_slot("harm_categories") or []
        return slots
    slots.update(
        {
            PENDING_SLOT: None,
            "significant_harm": True,
            "immediate_danger": immediate,
            "consultation_type": outcome.consultation_type,
            "contact_reference": outcome.reference,
        }
    )
    return slots


class ActionHarmHandoff(Action):
    """A message the NLU read as significant harm or immediate danger."""

    def name(self) -> str:
        return "action_harm_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        signal = tracker.latest_message.get(HARM_SIGNAL_KEY) or {}
        phrase = detect(text)
        pending = tracker.get_slot(PENDING_SLOT) or {}
        slots = harm_slots(
            dispatcher,
            tracker,
            # A payload such as "/significant_harm" carries no signal: it is confirmed by the
            # caller like any uncertain one. A harm message in answer to the confirming
            # question confirms it.
            certain=bool(signal.get("certain")) or bool(pending),
            immediate_danger=(
                latest_intent(tracker) == "immediate_danger"
                or bool(signal.get("immediate_danger"))
                or phrase.immediate_danger
                or bool(pending.get("immediate_danger"))
            ),
            categories=[*phrase.categories, *pending.get("categories", [])],
            new_concern=None if text.startswith("/") else text,
            classified=signal.get("classified"),
        )
        if not tracker.get_slot("role_type") and role_from(None, text) == PROFESSIONAL:
            slots["role_type"] = PROFESSIONAL  # "HV here - ..." answers the first question
        if tracker.get_slot("requested_slot") == Slot.CONSENT_REASON and not text.startswith("/"):
            # The reason for sharing without consent often speaks of the harm itself: the urgent
            # routes come as ever, and the answer is kept as the reason (never asked twice).
            reason = reason_answer(clean_text(text, max_chars=MAX_CONCERN_CHARS))
            if reason:
                slots[Slot.CONSENT_REASON] = reason
        return [SlotSet(name, value) for name, value in slots.items()]
