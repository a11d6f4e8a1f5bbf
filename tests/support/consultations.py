"""Whole consultations as lists of a professional's turns, for load, fault and scale-out runs
(the same turns as tests/e2e/test_scenario_leaves_no_trace.py holds one at a time).

A turn starting with "/" is a button's payload, as the web chat sends it."""

from __future__ import annotations

import re

from bot.adapters.service_file import load_facts

REFERENCE = re.compile(r"PCL-\d{4}-\d{6}")
_FACTS = load_facts()
EMERGENCY = _FACTS.emergency.phone.number  # 999
IRT_PHONE = _FACTS.irt.phone.number
# The start of bot.domain.messages.assistant_unavailable: the reply when part of the stack is down.
UNAVAILABLE = "the assistant can't answer right now"


def caller_turns(name: str = "Jo Bloggs") -> list[str]:
    return [
        "hello",
        "/professional",
        name,
        "class teacher",
        "Oakwood Primary",
        "office@oakwood.example.org",
        "01332 123456",
    ]


def named_child_turns(child: str = "Amy Pond", concern: str = "late most mornings") -> list[str]:
    """A named-child consultation (21 turns); the last reply carries the contact's reference.
    (The family's "yes" answers the consent to early help too: no separate question.)"""
    return [
        *caller_turns(),
        "/named_child",
        "yes",  # lives in Derby city
        "no",  # not open to Children's Social Care
        child,
        "3/4/2017",
        "14 Park Road, Derby DE1 2AB",
        "Oakwood Primary",
        "mum",
        "no",  # no other children in the household
        concern,
        "yes",
        "no",
        "some",
        "partly",
    ]


def scenario_turns(detail: str = "after moving house") -> list[str]:
    """A scenario consultation (17 turns): advice, and nothing recorded."""
    return [
        *caller_turns(),
        "/scenario",
        "yes",  # lives in Derby city
        "no",  # not open to Children's Social Care
        "no",  # no other children in the household
        f"what would you advise if a year 3 child seemed withdrawn {detail}",
        "no",
        "some",
        "partly",
        "yes",
        "/affirm",
    ]


def has_urgent_routes(text: str) -> bool:
    """The reply a caller must get while a part is down: 999 and the IRT's number."""
    return EMERGENCY in text and IRT_PHONE in text
