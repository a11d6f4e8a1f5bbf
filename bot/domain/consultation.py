"""The consultation's steps (SPEC §3): which answer is needed next, given what is known, and
how a free-text answer to a choice question is read."""

from __future__ import annotations

import re
from dataclasses import dataclass

CALLER_SLOTS = ("caller_name", "caller_role", "caller_agency", "caller_address", "caller_phone")
CHILD_SLOTS = ("child_name", "child_dob", "child_address", "child_setting", "child_carers")
THRESHOLD_SLOTS = ("q_harm", "q_needs", "q_support", "q_consent")

NAMED_CHILD = "named_child"
SCENARIO = "scenario"
PROFESSIONAL, DHCFT, PUBLIC = "professional", "dhcft", "public"


@dataclass(frozen=True)
class ConsultationState:
    line_open: bool
    role_type: str | None = None
    consultation_type: str | None = None
    significant_harm: bool = False
    done: bool = False


def required_slots(state: ConsultationState) -> list[str]:
    """The answers the consultation needs, in the order they are asked.

    Caller details come first (§5.16), then named child or scenario, explained before anything
    is said about the child. A closed line takes no consultation, except a significant-harm
    concern, whose record needs the same details. Significant harm skips the threshold
    questions: the level is Specialist whatever they say.
    """
    if state.done or not (state.line_open or state.significant_harm):
        return []
    slots = ["role_type"]
    if state.role_type == PUBLIC:
        return slots
    slots += [*CALLER_SLOTS, "consultation_type"]
    if state.consultation_type == NAMED_CHILD:
        slots += [*CHILD_SLOTS, "concern", "family_aware"]
    elif state.consultation_type == SCENARIO:
        slots.append("concern")
    if state.consultation_type and not state.significant_harm:
        slots += THRESHOLD_SLOTS
    return slots


_INTENT_ROLES = {
    "professional": PROFESSIONAL,
    "dhcft_health_staff": DHCFT,
    "member_of_public": PUBLIC,
}
_DHCFT = re.compile(r"\bdhcft\b|derbyshire healthcare", re.IGNORECASE)
_PUBLIC = re.compile(
    r"\b(parent|mum|mom|dad|grand(parent|ma|pa|mother|father)|nan|aunt|uncle|neighbou?r|"
    r"member of the public|not a professional|foster carer|step-?(mum|dad))\b",
    re.IGNORECASE,
)
_PROFESSIONAL = re.compile(
    r"\b(professional|teacher|dsl|senco|head|nurse|hv|health visitor|gp|doctor|police|officer|"
    r"worker|practitioner|manager|nursery|school|social worker|sw|midwife|paramedic|"
    r"housing|youth|coach|consultant|therapist|camhs|yes)\b",
    re.IGNORECASE,
)


def role_from(intent: str | None, text: str) -> str | None:
    """Professional, DHCFT health staff or member of the public; None when it can't tell."""
    if text in (PROFESSIONAL, DHCFT, PUBLIC):  # a value the assistant set itself
        return text
    if intent in _INTENT_ROLES:
        return _INTENT_ROLES[intent]
    if _DHCFT.search(text):
        return DHCFT
    if _PUBLIC.search(text) and not re.search(r"\bworker|officer|practitioner\b", text, re.I):
        return PUBLIC
    if _PROFESSIONAL.search(text):
        return PROFESSIONAL
    return None


_NAMED = re.compile(r"\b(named?|specific|real|identif|recorded|record it)\b", re.IGNORECASE)
_SCENARIO = re.compile(
    r"\b(scenario|hypothetical|anonymous|no names?|general|not recorded)\b", re.I
)


def consultation_type_from(intent: str | None, text: str) -> str | None:
    if text in (NAMED_CHILD, SCENARIO):  # a value the assistant set itself
        return text
    if intent in (NAMED_CHILD, SCENARIO):
        return intent
    if _SCENARIO.search(text):
        return SCENARIO
    if _NAMED.search(text):
        return NAMED_CHILD
    return None


_FAMILY_ANSWERS = (
    ("disagree", re.compile(r"disagree|don'?t agree|do not agree|not agree|refus|object", re.I)),
    ("unsure", re.compile(r"not sure|unsure|don'?t know|dunno|maybe", re.I)),
    ("no", re.compile(r"^\s*(no|nope|not yet|they don'?t|they do not|no they)\b", re.I)),
    ("yes", re.compile(r"^\s*(yes|yeah|yep|they do|they know|agreed|agree)\b", re.I)),
)


def family_aware_from(intent: str | None, text: str) -> str | None:
    """Whether the family knows of the consultation and agrees (Caldicott: no surprises)."""
    for value, pattern in _FAMILY_ANSWERS:
        if pattern.search(text):
            return value
    return {"affirm": "yes", "deny": "no", "unsure": "unsure"}.get(intent or "")
