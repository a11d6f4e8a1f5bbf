"""Sharing without consent (ISA "Consent"): when a named child's contact goes to the IRT without
the family's agreement, the reason is recorded, "to ensure future challenge can be responded
to". The assistant asks it once, right after the family question, with a button for each of the
ISA's common reasons, and keeps the answer (a button's reason or the caller's own words).

A scenario records nothing, so it is never asked. Nor is it when the family knows and agrees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONSENT_REASON = "consent_reason"

# The family question's answers (bot.domain.consultation.family_aware_from) that mean the contact
# is shared without the family's known agreement: they don't know, they refused, or the caller
# is not sure.
WITHOUT_CONSENT = frozenset({"no", "disagree", "unsure"})


@dataclass(frozen=True)
class Reason:
    # The button's payload: one made-up word the classifier has never met (so read as no intent,
    # rasa_ext/unknown_words.py), never taken for help, harm or another digression.
    value: str
    title: str  # the button (kept short: SMS numbers them)
    recorded: str  # what the contact keeps


REASONS: tuple[Reason, ...] = (
    Reason(
        "at_risk",
        "Telling them could put the child at risk",
        "Telling the family could put the child, or someone else, at greater risk of harm.",
    ),
    Reason(
        "police_inquiry",
        "Could prejudice a police investigation",
        "Telling the family could prejudice the prevention or detection of a crime (a police "
        "investigation).",
    ),
    Reason(
        "consent_refused",
        "They refused, but the risk means sharing",
        "The family refused consent, but not sharing would prejudice the child's welfare.",
    ),
    Reason(
        "advice_first",
        "Only to get advice before deciding",
        "Limited sharing to get advice before deciding what to do; consent not yet sought.",
    ),
)

QUESTION = (
    "Why are you sharing this without the family's agreement? I ask because the information "
    "sharing agreement asks for the reason to be recorded. Choose one, or tell me in your own "
    "words."
)

# A free-text answer shorter than this says nothing a manager could weigh ("ok", "idk").
MIN_REASON_CHARS = 4
_NOT_A_REASON = re.compile(r"^\s*(?:yes|yeah|no|nope|ok|okay|n/?a|none|idk|dunno)\W*$", re.I)


def reason_needed(named_child: bool, family_aware: str | None) -> bool:
    """A named child's contact shared without the family's known agreement needs its reason."""
    return named_child and family_aware in WITHOUT_CONSENT


def reason_answer(text: str) -> str | None:
    """What the contact keeps for an answer: the button's reason, or the caller's own words;
    None when the answer gives no reason."""
    cleaned = text.strip()
    for reason in REASONS:
        if cleaned.casefold() in (reason.value, reason.title.casefold()):
            return reason.recorded
    if len(cleaned) < MIN_REASON_CHARS or _NOT_A_REASON.match(cleaned):
        return None
    return cleaned
