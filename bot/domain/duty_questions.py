"""The questions a duty IRT manager asks first (issue 16, part 1), each with the reason the
caller sees, how an answer is read, and the routes an answer changes.

- Does the child live in Derby city? A county child is for Derbyshire's front door.
- Is the child already open to Children's Social Care, or do they have an allocated worker?
  Then the allocated worker or the Locality Team leads (framework §4.2.1, §4.3.7).
- Are there other children in the household? Think Family (§3.14).
- What the child has said, in their words: asked with the concern itself (one question).

No phone number or link lives here: the routes take the service's facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.domain.facts import ServiceFacts
from bot.domain.hours import LineStatus, line_status

YES, NO, NOT_KNOWN = "yes", "no", "not_known"

CHILD_IN_CITY = "child_in_city"
OPEN_TO_CSC = "child_open_to_csc"
OTHER_CHILDREN = "other_children"
DUTY_SLOTS = (CHILD_IN_CITY, OPEN_TO_CSC, OTHER_CHILDREN)


@dataclass(frozen=True)
class DutyQuestion:
    slot: str
    text: str
    reason: str
    choices: tuple[tuple[str, str], ...]  # (value, button title)

    @property
    def asked(self) -> str:
        """The question with the reason the caller sees."""
        return f"{self.text} {self.reason}"


DUTY_QUESTIONS: dict[str, DutyQuestion] = {
    CHILD_IN_CITY: DutyQuestion(
        CHILD_IN_CITY,
        "Does the child live in Derby city?",
        "I ask because a child who lives in Derbyshire, outside the city, is for Derbyshire's "
        "own front door, not Derby's.",
        ((YES, "Yes, in Derby city"), (NO, "No, in Derbyshire county"), (NOT_KNOWN, "Not known")),
    ),
    OPEN_TO_CSC: DutyQuestion(
        OPEN_TO_CSC,
        "Is the child already open to Children's Social Care, or do they have an allocated "
        "social worker?",
        "I ask because then their allocated worker or Locality Team is the first place for "
        "your concern, not the IRT.",
        ((YES, "Yes, open or allocated"), (NO, "No"), (NOT_KNOWN, "Not known")),
    ),
    OTHER_CHILDREN: DutyQuestion(
        OTHER_CHILDREN,
        "Are there other children in the household?",
        "I ask because we think family: other children living there, or visiting, may be at "
        "risk too.",
        ((YES, "Yes"), (NO, "No"), (NOT_KNOWN, "Not known")),
    ),
}

_NOT_KNOWN = re.compile(
    r"not (?:sure|known|certain)|unsure|don'?t know|do not know|dunno|no idea|unknown|"
    r"can'?t say|cannot say|not_known",
    re.I,
)
_NO = re.compile(r"^\s*(?:no|nope|nah|n|not)\b|\bnone\b|no other|only child|\bnot open\b", re.I)
_YES = re.compile(r"^\s*(?:yes|yeah|yep|yup|y|aye|they do|there are|he does|she does)\b", re.I)
_COUNTY = re.compile(
    r"derbyshire|county|outside (?:the )?city|out of (?:the )?city|another (?:area|council|"
    r"authority)|not in derby",
    re.I,
)
_CITY = re.compile(r"\bderby\b|\bcity\b", re.I)
_OPEN = re.compile(
    r"social worker|allocated|open to|already open|child in need|\bcin\b|child protection plan|"
    r"\bcp plan\b|looked after|in care|locality team",
    re.I,
)
_OTHERS = re.compile(
    r"brothers?|sisters?|siblings?|twins?|half[- ]|step[- ]?(?:brother|sister)|baby|babies|"
    r"other (?:child|children|kids)|\b(?:two|three|four|five|\d+) (?:other )?(?:children|kids)",
    re.I,
)
_INTENTS = {"affirm": YES, "deny": NO, "unsure": NOT_KNOWN}


def duty_answer(slot: str, intent: str | None, text: str) -> str | None:
    """The value a button or free-text answer means (yes, no, not_known), or None."""
    if slot not in DUTY_QUESTIONS:
        raise KeyError(slot)
    text = text.strip()
    for value, title in DUTY_QUESTIONS[slot].choices:
        if text.casefold() in (value, title.casefold()):
            return value
    denied = bool(_NO.search(text))
    readings = (
        (NOT_KNOWN, bool(_NOT_KNOWN.search(text))),
        (NO, slot == CHILD_IN_CITY and bool(_COUNTY.search(text))),
        (YES, slot == CHILD_IN_CITY and bool(_CITY.search(text))),
        (YES, slot == OPEN_TO_CSC and bool(_OPEN.search(text)) and not denied),
        (YES, slot == OTHER_CHILDREN and bool(_OTHERS.search(text)) and not denied),
        (NO, denied),
        (YES, bool(_YES.search(text))),
    )
    for value, applies in readings:
        if applies:
            return value
    return _INTENTS.get(intent or "")


def county_route(facts: ServiceFacts) -> list[str]:
    """A child living outside the city: Derbyshire's front door (nothing recorded here)."""
    county = facts.county_front_door
    return [
        "A child who lives in Derbyshire, outside Derby city, is for Derbyshire County Council: "
        f"contact {county.name} on {county.phone.number}. They decide what happens next, as "
        "the IRT would for a city child.",
        f"If the child is in immediate danger, call {facts.emergency.phone.number} now. "
        "I haven't recorded anything about the child here.",
    ]


def open_case_route(facts: ServiceFacts, at: datetime) -> list[str]:
    """A child already open to Children's Social Care (§4.2.1, §4.3.7): the allocated worker
    or the Locality Team, and the urgent routes still, in case harm is suspected."""
    if line_status(at, facts) is LineStatus.CLOSED_OUT_OF_HOURS:
        urgent = (
            f"call {facts.out_of_hours.name} (out of hours) on {facts.out_of_hours.phone.number} "
            "now"
        )
    else:
        urgent = f"call the Initial Response Team (IRT) now on {facts.irt.phone.number}"
    return [
        "As the child is already open to Children's Social Care, take your concern to their "
        "allocated social worker, or to the Locality Team that holds the case: they lead the "
        "response, including any strategy discussion. If you don't know who that is, the IRT "
        f"on {facts.irt.phone.number} can tell you.",
        f"If you think the child may be at risk of significant harm and you can't reach them, "
        f"{urgent}. If the child is in immediate danger, call {facts.emergency.phone.number}. "
        "I haven't recorded a contact, as the case is already open.",
    ]


def think_family_note() -> str:
    """Said with the advice when there are, or may be, other children in the household."""
    return (
        "Think family: consider the other children in the household too, and name them when "
        "you speak to the IRT or complete a referral."
    )


def not_known_note(slot: str) -> str | None:
    """What to check when the caller did not know the answer."""
    return {
        CHILD_IN_CITY: (
            "Check where the child lives: a child living in Derbyshire, outside the city, is "
            "for Derbyshire's front door."
        ),
        OPEN_TO_CSC: (
            "Check whether the child is already open to Children's Social Care: if they are, "
            "their allocated worker or Locality Team leads."
        ),
    }.get(slot)
