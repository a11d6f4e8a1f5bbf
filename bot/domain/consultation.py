"""The consultation's steps (SPEC §3): which answer is needed next, given what is known, and
how a free-text answer to a choice question is read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.consent import CONSENT_REASON, reason_needed
from bot.domain.domestic_abuse import DASH_GRADE
from bot.domain.duty_questions import CHILD_IN_CITY, NO, OPEN_TO_CSC, OTHER_CHILDREN, YES

CALLER_SLOTS = ("caller_name", "caller_role", "caller_agency", "caller_address", "caller_phone")
CHILD_SLOTS = ("child_name", "child_dob", "child_address", "child_setting", "child_carers")
THRESHOLD_SLOTS = ("q_harm", "q_needs", "q_support", "q_consent")

# A message typed before the concern was asked for is kept as the concern when it reads as one
# (the classifier's describe_concern) or is this long (rule 14: never lost, never asked again).
EARLY_CONCERN_MIN_WORDS = 8

NAMED_CHILD = "named_child"
SCENARIO = "scenario"
PROFESSIONAL, DHCFT, PUBLIC = "professional", "dhcft", "public"


@dataclass(frozen=True)
class ConsultationState:
    line_open: bool
    role_type: str | None = None
    consultation_type: str | None = None
    significant_harm: bool = False
    # A harm signal the caller has not yet confirmed (rule 7): the confirming question first.
    harm_pending: bool = False
    done: bool = False
    # The duty manager's first questions (bot.domain.duty_questions): yes, no or not_known.
    in_city: str | None = None
    open_to_csc: str | None = None
    # Domestic abuse was described: the police's DASH grade is asked after the concern.
    domestic_abuse: bool = False
    # The family question's answer: shared without their agreement, the reason is asked next.
    family_aware: str | None = None


def required_slots(state: ConsultationState) -> list[str]:
    """The answers the consultation needs, in the order they are asked.

    Caller details come first (§5.16), then named child or scenario, explained before anything
    is said about the child. A closed line takes no consultation, except a significant-harm
    concern, whose record needs the same details. Significant harm skips the threshold
    questions: the level is Specialist whatever they say.

    Rule 7 goes first: an unconfirmed harm signal asks its confirming question before anything
    else, and a confirmed concern asks named child or scenario before the caller's details,
    because only a named child is recorded.

    After named child or scenario come the duty manager's first questions (issue 16): does the
    child live in the city (a county child ends here: Derbyshire's front door), and are they
    already open to Children's Social Care (then the allocated worker or Locality Team: it ends
    here too); then, after the child's details, whether other children live in the household
    (Think Family). The significant-harm path asks none of these: the IRT does, at once.

    A named child whose family does not know, or does not agree, is shared without consent: the
    reason is asked right after the family question, on every path (ISA "Consent").
    """
    if state.harm_pending:
        return ["harm_confirmation"]
    if state.done or not (state.line_open or state.significant_harm):
        return []
    slots = ["role_type"]
    if state.significant_harm and state.consultation_type is None:
        slots = ["consultation_type", "role_type"]
    if state.role_type == PUBLIC:
        return slots
    slots += [*CALLER_SLOTS]
    if "consultation_type" not in slots:
        slots.append("consultation_type")
    duty = bool(state.consultation_type) and not state.significant_harm
    if duty:
        slots.append(CHILD_IN_CITY)
        if state.in_city == NO:
            return slots
        slots.append(OPEN_TO_CSC)
        if state.open_to_csc == YES:
            return slots
    slots += _about_the_child(state, household=duty)
    if state.consultation_type and not state.significant_harm:
        if state.domestic_abuse:
            slots.insert(slots.index("concern") + 1, DASH_GRADE)
        slots += THRESHOLD_SLOTS
    return slots


def _about_the_child(state: ConsultationState, *, household: bool) -> list[str]:
    """The child's details (a named child only), the household question, the concern, and for
    a named child the family question with, when shared without consent, its reason."""
    others = [OTHER_CHILDREN] if household else []
    if state.consultation_type == SCENARIO:
        return [*others, "concern"]
    if state.consultation_type != NAMED_CHILD:
        return []
    reason = [CONSENT_REASON] if reason_needed(True, state.family_aware) else []
    return [*CHILD_SLOTS, *others, "concern", "family_aware", *reason]


_INTENT_ROLES = {
    "professional": PROFESSIONAL,
    "dhcft_health_staff": DHCFT,
    "member_of_public": PUBLIC,
}
_DHCFT = re.compile(r"\bdhcft\b|derbyshire healthcare", re.IGNORECASE)
# The caller speaking of themselves as family or public: "mum", "dad" or "grandad" in a concern
# are the child's family, not the caller (rule 14).
_PUBLIC = re.compile(
    r"\b(?:i am|i'?m|im|as|speaking as)\s+(?:a |an |the |his |her |their |just a )?"
    r"(?:parent|mum|mom|mother|dad|father|grand(?:parent|ma|pa|mother|father|dad|mum)|nan|"
    r"nana|aunt(?:ie|y)?|uncle|neighbou?r|relative|family member|friend of the family|"
    r"carer for my|step-?(?:mum|dad))\b|"
    r"\bmy (?:own )?(?:son|daughter|child|children|kids?|niece|nephew|step-?(?:son|daughter)|"
    r"grand(?:son|daughter|child|children|kids?))\b|"
    r"\b(?:member of the public|not a professional|not professional)\b",
    re.IGNORECASE,
)
# A professional role or setting anywhere in the message wins over family words.
_PROFESSIONAL = re.compile(
    r"\b(professional|teacher|ta|tutor|dsl|ddsl|senco|head ?teacher|head|deputy|nurse|hv|"
    r"health visitor|gp|doctor|dr|paediatrician|police|pc|pcso|officer|detective|"
    r"worker|practitioner|manager|nursery|pre-?school|childminder|school|academy|college|"
    r"social worker|sw|midwife|paramedic|dentist|pharmacist|housing|youth|coach|consultant|"
    r"therapist|camhs|counsel+or|mentor|safeguarding lead|lead|receptionist|surgery|clinic|"
    r"hospital|ward|a&e|ambulance|charity|volunteer|chaplain|vicar|imam|pastor|caseworker|"
    r"key ?worker|family support|early help|sendco|governor|work with (?:children|kids|young)|"
    r"yes)\b",
    re.IGNORECASE,
)


def role_from(intent: str | None, text: str) -> str | None:
    """Professional, DHCFT health staff or member of the public; None when it can't tell.

    Whoever names a professional role or setting is a professional, whatever family words the
    concern holds (rule 14); the public are those who speak of themselves as family or public.
    """
    if text in (PROFESSIONAL, DHCFT, PUBLIC):  # a value the assistant set itself
        return text
    if _DHCFT.search(text) or intent == "dhcft_health_staff":
        return DHCFT
    if _PROFESSIONAL.search(text) or intent == "professional":
        return PROFESSIONAL
    if _PUBLIC.search(text):
        return PUBLIC
    if intent == "member_of_public" and text.startswith("/"):  # the button, not a guess
        return PUBLIC
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


# A leading "no" wins over "don't know": "No, they don't know" (the button's words) is a no.
_FAMILY_ANSWERS = (
    ("disagree", re.compile(r"disagree|don'?t agree|do not agree|not agree|refus|object", re.I)),
    ("no", re.compile(r"^\s*(no|nope|not yet|they don'?t|they do not|no they)\b", re.I)),
    ("unsure", re.compile(r"not sure|unsure|don'?t know|dunno|maybe", re.I)),
    ("yes", re.compile(r"^\s*(yes|yeah|yep|they do|they know|agreed|agree)\b", re.I)),
)


def family_aware_from(intent: str | None, text: str) -> str | None:
    """Whether the family knows of the consultation and agrees (Caldicott: no surprises)."""
    for value, pattern in _FAMILY_ANSWERS:
        if pattern.search(text):
            return value
    return {"affirm": "yes", "deny": "no", "unsure": "unsure"}.get(intent or "")


# The family's knowledge and their agreement to early help are one question (issue 16): the
# answer to "does the family know, and do they agree?" answers the consent question too.
CONSENT_FROM_FAMILY_AWARE = {
    "yes": "yes",
    "disagree": "no",
    "no": "not_asked",
    "unsure": "not_asked",
}


def early_concern(intent: str | None, text: str, known_concern: str | None) -> str | None:
    """A concern typed before it was asked for, to keep as the concern; None when the message
    is not one (a button, a short answer) or a concern is already known."""
    if known_concern or not text.strip() or text.startswith("/"):
        return None
    if intent != "describe_concern" and len(text.split()) < EARLY_CONCERN_MIN_WORDS:
        return None
    return text
