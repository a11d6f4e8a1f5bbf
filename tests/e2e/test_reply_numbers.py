"""Every telephone number and link the assistant gives comes from the service file, and every
message is SMS-sized (SPEC §2: "the assistant never invents one"; bot/domain/messages.py: at most
480 characters a message).

Three sources are checked: the replies of a long mixed set of real conversations (at several
times of day, so every route is taken), every `responses:` text in domain.yml, and every text
function in bot/domain/messages.py called with the real facts at several moments.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import yaml

from bot.adapters.service_file import load_facts
from bot.domain import messages
from bot.domain.facts import PhoneFact, ServiceFacts, sourced_facts
from bot.domain.levels import THRESHOLD_QUESTIONS, suggest_level
from tests.e2e.conftest import IN_HOURS
from tests.support.conversation import (
    ASK_PHONE,
    CALLER,
    CERTAIN_DISCLOSURE,
    CHILD,
    Conversation,
    consult,
    conversation,
    named_child,
    past_confirmation,
    scenario,
    thresholds,
)
from tests.support.stack import ROOT, Stack

pytestmark = pytest.mark.e2e

FACTS = load_facts()
MAX_CHARS = 480

# --- what counts as a number or a link in a reply ---------------------------------------------

_REFERENCE = re.compile(r"\bPCL-\d{4}-\d{6}\b")  # a contact's reference, not a phone number
_DATE = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{2,4}(?![\d/])")  # "for example 3/4/2015"
_DIGIT_RUN = re.compile(r"\+?\d(?:[\d ()\-]*\d)?")
_SHORT_CODE = re.compile(r"(?<![\d.])\b(999|112|111|101|105|116 ?\d{3})\b(?![\d.])")
_EXTENSION = re.compile(r"\b(?:ext|extension|x)\.? ?(\d{2,8})\b", re.IGNORECASE)
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_WWW = re.compile(r"(?<![/\w.])www\.[^\s<>\"']+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DOMAIN = re.compile(
    r"(?<![\w@.])(?:[a-z0-9-]+\.)+(?:uk|com|org|net|gov|nhs|info|io)\b(?:/\S*)?", re.IGNORECASE
)
_TRAILING = ".,;:!?)"


def _digits(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if digits.startswith("44") and len(digits) >= 12:
        digits = "0" + digits[2:]
    return digits


def _phone_facts(facts: ServiceFacts) -> Iterator[PhoneFact]:
    for _, fact in sourced_facts(facts):
        if isinstance(fact, PhoneFact):
            yield fact


KNOWN_NUMBERS = {_digits(n) for n in FACTS.all_phone_numbers()}
KNOWN_EXTENSIONS = {f.extension for f in _phone_facts(FACTS) if f.extension}
KNOWN_URLS = FACTS.all_urls()
KNOWN_HOSTS = {re.sub(r"^https?://", "", u).split("/")[0].lower() for u in KNOWN_URLS}


def problems(text: str) -> list[str]:
    """What in one message is not from the service file, or too long; empty when all is well."""
    found = []
    if len(text) > MAX_CHARS:
        found.append(f"{len(text)} characters (more than {MAX_CHARS}): {text[:60]!r}…")
    rest = _DATE.sub(" ", _REFERENCE.sub(" ", text))

    for match in _URL.finditer(rest):
        url = match.group(0).rstrip(_TRAILING)
        if url not in KNOWN_URLS:
            found.append(f"a link not in the service file: {url}")
    rest = _URL.sub(" ", rest)
    for match in _WWW.finditer(rest):
        found.append(f"a link not in the service file: {match.group(0).rstrip(_TRAILING)}")
    for match in _EMAIL.finditer(rest):
        found.append(f"an email address: {match.group(0)}")
    rest = _EMAIL.sub(" ", rest)
    for match in _DOMAIN.finditer(rest):
        host = match.group(0).rstrip(_TRAILING).split("/")[0].lower()
        if host not in KNOWN_HOSTS:
            found.append(f"a web address not in the service file: {match.group(0)}")

    for match in _EXTENSION.finditer(rest):
        if match.group(1) not in KNOWN_EXTENSIONS:
            found.append(f"an extension not in the service file: {match.group(0)}")
    for match in _SHORT_CODE.finditer(rest):
        if _digits(match.group(1)) not in KNOWN_NUMBERS:
            found.append(f"a short number not in the service file: {match.group(1)}")
    for match in _DIGIT_RUN.finditer(_EXTENSION.sub(" ", rest)):
        digits = _digits(match.group(0))
        if len(digits) >= 6 and digits not in KNOWN_NUMBERS:
            found.append(f"a number not in the service file: {match.group(0).strip()}")
    return found


def assert_only_known_numbers_and_links(texts: list[str], where: str) -> None:
    assert texts, f"nothing to check from {where}"
    found = {f"{problem}\n    in: {text!r}" for text in texts for problem in problems(text)}
    assert not found, f"{where}:\n" + "\n".join(sorted(found))


def test_the_checker_finds_numbers_links_and_lengths_that_are_not_from_the_service_file() -> None:
    # The check below is only as good as this: it must see what it is looking for.
    assert problems("Call the IRT on 01332 641172 or 999, form: " + next(iter(KNOWN_URLS))) == []
    assert problems("Safeguarding Unit on 01332 623700 ext 31537, contact PCL-2026-000123.") == []
    assert problems("for example 3/4/2015, DE1 2FS, within 48 hours, Care Act 2014, s.42") == []
    assert problems("Call us on 01332 123456.")
    assert problems("Call +44 1332 123456.")
    assert problems("Call 0800 1111 now")
    assert problems("Or call 111 for advice")
    assert problems("Ring 01332 623700 ext 1234")
    assert problems("See https://www.derby.gov.uk/elsewhere/.")
    assert problems("See www.nspcc.org.uk for help")
    assert problems("See nspcc.org.uk for help")
    assert problems("Write to help@derby.gov.uk")
    assert problems("x" * (MAX_CHARS + 1))


# --- domain.yml -------------------------------------------------------------------------------


def test_every_response_text_in_the_domain_uses_only_the_service_files_numbers_and_links() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    texts = []
    for variations in (domain.get("responses") or {}).values():
        for variation in variations:
            texts.append(variation["text"])
            texts.extend(button["title"] for button in variation.get("buttons") or [])
    assert len(texts) >= 15
    assert_only_known_numbers_and_links(texts, "domain.yml responses")


# --- bot/domain/messages.py ------------------------------------------------------------------

MOMENTS = [
    datetime.fromisoformat(iso)
    for iso in (
        "2026-11-26T11:00:00+00:00",  # open
        "2026-11-26T09:30:00+00:00",  # closed, the IRT working
        "2026-11-26T16:30:00+00:00",  # closed, the IRT working
        "2026-11-26T20:00:00+00:00",  # out of hours
        "2026-11-28T12:00:00+00:00",  # Saturday
        "2026-12-28T12:00:00+00:00",  # substitute bank holiday
        "2026-06-04T09:30:00+00:00",  # 10:30 BST: open
        "2026-06-04T16:30:00+00:00",  # 17:30 BST: out of hours
    )
]

_ANSWERS = [
    [None, *question.values] for question in THRESHOLD_QUESTIONS
]  # every answer, and no answer
SUGGESTIONS = [
    suggest_level(
        {q.key: a for q, a in zip(THRESHOLD_QUESTIONS, answers, strict=True) if a},
        significant_harm=harm,
        immediate_danger=danger,
    )
    for answers in itertools.product(*_ANSWERS)
    for harm, danger in ((False, False), (True, False), (True, True))
]
_FOUND = (
    "a name",
    "a date of birth",
    "an address",
    "contact details",
    "a specific child you work with",
)


def _text_functions(facts: ServiceFacts, at: datetime) -> dict[str, Callable[[], list[str]]]:
    """Every public text function of bot/domain/messages.py, called every way it can be."""
    return {
        "step_facts": lambda: list(messages.step_facts(facts).values()),
        "urgent_contact_now": lambda: [messages.urgent_contact_now(facts, at)],
        "urgent_routes": lambda: [messages.urgent_routes(facts, at)],
        "assistant_unavailable": lambda: [messages.assistant_unavailable(facts, at)],
        "welcome": lambda: [messages.welcome(facts)],
        "closed": lambda: messages.closed(facts, at),
        "harm_handoff": lambda: [
            *messages.harm_handoff(facts, at, immediate_danger=True),
            *messages.harm_handoff(facts, at, immediate_danger=False),
        ],
        "harm_flagged": lambda: [messages.harm_flagged("PCL-2026-000123")],
        "harm_urgent_routes": lambda: [
            *messages.harm_urgent_routes(facts, at, immediate_danger=True),
            *messages.harm_urgent_routes(facts, at, immediate_danger=False),
        ],
        "harm_not_confirmed": lambda: [
            *messages.harm_not_confirmed(facts, at, line_open=True),
            *messages.harm_not_confirmed(facts, at, line_open=False),
        ],
        "harm_scenario_not_recorded": lambda: [messages.harm_scenario_not_recorded(facts, at)],
        "harm_ask_kind": lambda: [messages.harm_ask_kind()],
        "line_now": lambda: [messages.line_now(facts, at)],
        "next_opening_words": lambda: [messages.next_opening_words(facts, at)],
        "urgent_contact_name": lambda: [messages.urgent_contact_name(facts, at)],
        "urgent_phone_now": lambda: [messages.urgent_phone_now(facts, at)],
        "public_routes": lambda: messages.public_routes(facts, at),
        "dhcft_offer": lambda: [messages.dhcft_offer(facts)],
        "adult_route": lambda: messages.adult_route(facts),
        "domestic_abuse_route": lambda: messages.domestic_abuse_route(facts),
        "not_a_referral": lambda: messages.not_a_referral(facts, at),
        "help_text": lambda: [messages.help_text(facts)],
        "speak_to_someone": lambda: messages.speak_to_someone(facts, at),
        "hours_text": lambda: [messages.hours_text(facts, at)],
        "privacy_text": lambda: [messages.privacy_text()],
        "scenario_became_named": lambda: [
            messages.scenario_became_named(found)
            for n in range(1, len(_FOUND) + 1)
            for found in itertools.combinations(_FOUND, n)
        ],
        "advice": lambda: [
            text for suggestion in SUGGESTIONS for text in messages.advice(facts, suggestion, at)
        ],
        "closing": lambda: [*messages.closing(None), *messages.closing("PCL-2026-000123")],
        "rephrase": lambda: [messages.rephrase()],
        "human_routes": lambda: messages.human_routes(facts, at),
        "line_closed_reminder": lambda: messages.line_closed_reminder(facts, at),
        "goodbye": lambda: [messages.goodbye(facts)],
    }


def test_every_text_function_in_messages_is_checked() -> None:
    public = {
        name
        for name, member in inspect.getmembers(messages, inspect.isfunction)
        if member.__module__ == messages.__name__ and not name.startswith("_")
    }
    assert public == set(_text_functions(FACTS, MOMENTS[0]))


@pytest.mark.parametrize("at", MOMENTS, ids=lambda at: at.isoformat())
def test_every_text_function_in_messages_uses_only_the_service_files_numbers_and_links(
    at: datetime,
) -> None:
    constants = [
        value for name, value in vars(messages).items() if name.isupper() and isinstance(value, str)
    ]
    texts = list(constants)
    for question in THRESHOLD_QUESTIONS:
        texts += [question.text, *(choice.title for choice in question.choices)]
    for name, produce in _text_functions(FACTS, at).items():
        produced = produce()
        assert produced and all(isinstance(t, str) and t for t in produced), name
        texts += produced
    assert_only_known_numbers_and_links(texts, f"bot/domain/messages.py at {at.isoformat()}")


# --- real conversations -----------------------------------------------------------------------

DISCLOSURE = CERTAIN_DISCLOSURE
IMMEDIATE_DANGER = (
    "A child has just told me her stepdad is at home with a knife and she is scared to go home"
)


def _in_hours_conversations(stack: Stack) -> Iterator[Conversation]:
    with conversation(stack) as conv:  # named child, a disclosure, to the end
        consult(conv)
        named_child(conv)
        conv.say_all([DISCLOSURE, "no", "/affirm"])
        yield conv
    with conversation(stack) as conv:  # a scenario with every aside along the way
        conv.say_all(
            ["hello", "help", "what are your opening hours", "what happens to what I tell you"]
        )
        consult(conv, greeting=None)
        scenario(conv)
        conv.say_all(["I want to make a referral", "I want to speak to someone"])
        past_confirmation(
            conv, conv.say("He has been late most mornings this term and often seems tired")
        )
        thresholds(conv, "unsure", "several", "no", "not asked")
        conv.say("/deny")
        yield conv
    for answers in (("no", "none", "yes", "yes"), ("no", "some", "partly", "no")):
        with conversation(stack) as conv:  # more levels of need
            consult(conv)
            scenario(conv)
            past_confirmation(conv, conv.say("She has been anxious and is missing some school"))
            thresholds(conv, *answers)
            yield conv
    with conversation(stack) as conv:  # domestic abuse
        consult(conv)
        scenario(conv)
        conv.say(
            "Police were called to a domestic abuse incident at the family home last night, "
            "the children were in the house"
        )
        past_confirmation(conv, conv.replies[-1])
        conv.say("Medium risk")  # the DASH grade (issue 16)
        thresholds(conv, "no", "several", "partly", "yes")
        yield conv
    with conversation(stack) as conv:  # DHCFT, then unclear and invalid answers, then stop
        conv.say_all(["hello", "/dhcft_health_staff", CALLER["name"], "Health visitor", "DHCFT"])
        conv.say_all(["somewhere in Derby", "jane@", CALLER["address"], CALLER["phone"]])
        conv.say_all(["/named_child", "yes", "no", CHILD["name"], "banana", "3/4/2035"])
        conv.say_all(["31/2/2015", "age 7"])
        conv.say_all(["stop"])
        yield conv
    with conversation(stack) as conv:  # a parent
        conv.say("I'm a parent, worried about my neighbour's child")
        yield conv
    with conversation(stack) as conv:  # an adult, then the children in the household
        conv.say_all(
            ["I'm worried about an elderly woman with dementia, her son is taking her money"]
        )
        conv.say_all(["/affirm", "/professional", "start again"])
        yield conv
    with conversation(stack) as conv:  # not understood twice; immediate danger; stop
        conv.say_all(["xqzv blorp", "blorptastic frumple", "hello", "xqzv blorp"])
        conv.say_all(["wibble frobnicate zorp", IMMEDIATE_DANGER, "/deny", "stop"])
        yield conv


def _closed_conversations(stack: Stack) -> Iterator[Conversation]:
    for iso in (
        "2026-11-26T09:30:00+00:00",
        "2026-11-26T20:00:00+00:00",
        "2026-11-28T12:00:00+00:00",
    ):
        stack.set_clock(iso)
        with conversation(stack) as conv:
            conv.say_all(["hello", "/professional", "help", "what are your opening hours"])
            conv.say_all(["I want to make a referral", "I want to speak to someone"])
            conv.say_all(["xqzv blorp", "blorptastic frumple"])
            yield conv
        with conversation(stack) as conv:
            conv.say_all([IMMEDIATE_DANGER, "/affirm", "/named_child"])
            consult(conv, greeting=None, expect="What is the child's full name?")
            conv.say_all(
                [CHILD["name"], CHILD["dob"], CHILD["address"], CHILD["setting"], CHILD["carers"]]
            )
            conv.say_all(["no", "/affirm"])
            yield conv


def test_every_reply_in_a_long_mixed_set_of_conversations_uses_only_the_service_files_numbers(
    stack: Stack,
) -> None:
    stack.set_clock(IN_HOURS)
    texts: list[str] = []
    count = 0
    for conv in itertools.chain(_in_hours_conversations(stack), _closed_conversations(stack)):
        texts += conv.all_texts
        texts += [
            b["title"] for r in conv.replies for m in r.messages for b in m.get("buttons") or []
        ]
        count += len(conv.replies)
    assert count >= 100, f"only {count} turns"
    # The routes the set is meant to take were taken.
    joined = "\n".join(texts)
    for phrase in (
        "01332 641172",  # the IRT
        "01332 956606",  # the Care Line
        "07812 300329",  # the line itself
        "01332 640515",  # DHCFT
        "01332 640777",  # adults
        "Suggested level of need: Universal",
        "Suggested level of need: Emerging needs",
        "Suggested level of need: Specialist",
        "is closed now",
        "DA Triage",
        "didn't understand",
    ):
        assert phrase in joined, f"no reply gave {phrase!r}"
    assert_only_known_numbers_and_links(texts, f"replies in {count} turns")


def test_the_re_ask_for_an_invalid_telephone_number_gives_no_number_outside_the_service_file(
    in_hours: Stack,
) -> None:
    with conversation(in_hours) as conv:
        conv.say_all(["hello", "/professional", CALLER["name"], CALLER["role"], CALLER["agency"]])
        assert ASK_PHONE in conv.say(CALLER["address"])
        reply = conv.say("12345")
        assert "doesn't look like a UK telephone number" in reply
        assert_only_known_numbers_and_links(reply.texts, "the re-ask for a telephone number")
