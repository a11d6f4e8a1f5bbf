"""Domestic abuse (framework §5.2 to §5.6, SPEC rule 10): the police's DASH risk grade, asked if
the caller knows it, and that grade's route; schools' SDAT notifications; the child's own
threshold questions still follow. (Where a child is at risk now, the significant-harm path has
already given the urgent routes first.) The periods come from the service file."""

from __future__ import annotations

import re

from bot.domain.facts import ServiceFacts

DASH_GRADE = "dash_grade"
HIGH, MEDIUM, STANDARD, NOT_KNOWN = "high", "medium", "standard", "not_known"

DASH_QUESTION = (
    "Do you know the police's DASH risk grade for the incident? I ask because each grade has "
    "its own route and timescale."
)
DASH_CHOICES: tuple[tuple[str, str], ...] = (
    (HIGH, "High risk"),
    (MEDIUM, "Medium risk"),
    (STANDARD, "Standard risk"),
    (NOT_KNOWN, "Not known"),
)

_READINGS = (
    (
        NOT_KNOWN,
        re.compile(
            r"not (?:sure|known)|unsure|don'?t know|do not know|dunno|no idea|"
            r"unknown|not_known|\bno\b|\bnope\b",
            re.I,
        ),
    ),
    (HIGH, re.compile(r"\bhigh\b|marac|critical", re.I)),
    (MEDIUM, re.compile(r"\bmedium\b|\bmed\b|moderate", re.I)),
    (STANDARD, re.compile(r"\bstandard\b|\blow\b", re.I)),
)


def dash_answer(text: str) -> str | None:
    """high, medium, standard or not_known from a button or free text; None if unclear."""
    cleaned = text.strip().casefold()
    for value, title in DASH_CHOICES:
        if cleaned in (value, title.casefold()):
            return value
    for value, pattern in _READINGS:
        if pattern.search(text):
            return value
    return None


def dash_route(facts: ServiceFacts, grade: str) -> list[str]:
    """The route for the grade (the framework's §5.2 and §5.3), then SDAT and the child."""
    da = facts.domestic_abuse
    routes = {
        HIGH: (
            "High risk: the police notify Social Care, Health and Education Welfare within "
            f"{da.high_risk_notified_within}, and the MASH considers a strategy discussion about "
            "the children. Share what you know with the IRT now rather than wait for it."
        ),
        MEDIUM: (
            f"Medium risk: the notification comes within {da.medium_risk_notified_within} and "
            "goes to DA Triage, where Children's Social Care, Health and Education Welfare meet "
            "twice a week to decide the right help for the family."
        ),
        STANDARD: (
            "Standard risk: the notification is screened by the MASH's Senior Practitioner and "
            f"reviewed by Social Care within {da.standard_reviewed_within} of it being received."
        ),
        NOT_KNOWN: (
            "If you don't know the grade: high risk is notified within "
            f"{da.high_risk_notified_within} and considered for a strategy discussion; medium "
            f"within {da.medium_risk_notified_within}, to DA Triage; standard reviewed within "
            f"{da.standard_reviewed_within}. The police officer in the case can tell you."
        ),
    }
    return [
        routes[grade],
        "Schools and colleges: Stopping Domestic Abuse Together (SDAT) notifies you when a pupil "
        "was present at, witnessed or was involved in an incident. It does not replace your own "
        "safeguarding procedures: use it with them.",
        "Whatever the grade, the child's own needs decide the level, so let's look at them.",
    ]
