"""Whole conversations for the end-to-end tests: walking the consultation's steps through the
web chat, and reading back what the stack recorded (contacts and anonymous statistics).

The helpers send what a browser sends: typed text, or a button's payload as text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine
from bot.adapters.db.models import AnonymousStatistic, Contact
from bot.domain.contact import ContactView
from tests.support.chat import WebChat
from tests.support.stack import Stack

REFERENCE = re.compile(r"\bPCL-\d{4}-\d{6}\b")

# The questions, by a phrase each one always contains.
ASK_ROLE = "Are you contacting us as a professional?"
ASK_NAME = "What is your name?"
ASK_ROLE_TITLE = "What is your role?"
ASK_AGENCY = "Which organisation or agency"
ASK_ADDRESS = "What is your contact address?"
ASK_PHONE = "What telephone number"
ASK_KIND = "Is this about a named child, or a scenario?"
ASK_CITY = "Does the child live in Derby city?"
ASK_OPEN_TO_CSC = "Is the child already open to Children's Social Care"
ASK_OTHER_CHILDREN = "Are there other children in the household?"
ASK_CHILD_NAME = "What is the child's full name?"
ASK_CHILD_DOB = "What is the child's date of birth?"
ASK_CHILD_ADDRESS = "What is the child's address?"
ASK_CHILD_SETTING = "Which school, nursery or other setting"
ASK_CHILD_CARERS = "Who are the child's parents or carers?"
ASK_CONCERN = "What is your concern?"
ASK_FAMILY_AWARE = "Does the family know you're contacting us"
ASK_CONSENT_REASON = "Why are you sharing this without the family's agreement?"
ASK_HARM = "Do you have reasonable cause to suspect"
ASK_NEEDS = "which best describes the child's needs?"
ASK_SUPPORT = "Is the support already in place"
ASK_CONSENT = "do they agree to early help?"
ASK_FEEDBACK = "was this advice helpful?"
# Rule 7's confirming question for an uncertain signal, and its two buttons.
ASK_CONFIRM_HARM = "Do you think the child may be suffering, or at risk of, significant harm?"
HARM_YES, HARM_NO = "/affirm", "/deny"
REASONABLE_CAUSE = "reasonable cause to suspect"

# A disclosure a reviewed high-precision phrase recognises: confirmed at once. And one that
# only a phrase also matching ordinary questions recognises: the caller confirms it. (Pinned
# by tests/unit/test_harm_signals.py, so a re-measured phrase list cannot change them silently.)
CERTAIN_DISCLOSURE = "She said her mum's boyfriend touched her inappropriately"
UNCERTAIN_DISCLOSURE = "She told me her stepdad hits her with a belt"

# The service file's facts the tests look for (bot/service/derby.yml).
EMERGENCY = "999"
IRT_PHONE = "01332 641172"
CARE_LINE = "Derby City Care Line"
CARE_LINE_PHONE = "01332 956606"
FORM_URL = "https://www.derby.gov.uk/health-and-social-care/keeping-safe/worried-about-a-child/"
LINE_PHONE = "07812 300329"
DHCFT_ADVICE_LINE = "01332 640515"
SAFEGUARDING_UNIT = "01332 623700"
SAFEGUARDING_UNIT_EXT = "31537"
ADULTS_PHONE = "01332 640777"
OPENING_HOURS = "10am to 4pm, Monday to Friday"
DECISION_IS_THE_IRTS = "The decision is made by the Initial Response Team (IRT)."


@dataclass(frozen=True)
class Reply:
    """What the assistant answered to one message."""

    sent: str
    messages: tuple[dict[str, Any], ...]

    @property
    def texts(self) -> list[str]:
        return [str(m.get("text") or "") for m in self.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def payloads(self) -> list[str]:
        return [b["payload"] for m in self.messages for b in (m.get("buttons") or [])]

    @property
    def reference(self) -> str | None:
        match = REFERENCE.search(self.text)
        return match.group(0) if match else None

    def __contains__(self, phrase: object) -> bool:
        return isinstance(phrase, str) and phrase in self.text

    def __str__(self) -> str:
        return f"> {self.sent}\n" + "\n".join(f"< {t}" for t in self.texts)


@dataclass
class Conversation:
    """One professional at the web chat (one cookie), keeping every reply for later checks."""

    chat: WebChat
    replies: list[Reply] = field(default_factory=list)

    def say(self, text: str) -> Reply:
        messages = self.chat.say(text)
        assert self.chat.last_status == 200, f"{text!r} got HTTP {self.chat.last_status}"
        reply = Reply(text, tuple(messages))
        assert reply.texts and all(reply.texts), f"an empty reply to {text!r}"
        self.replies.append(reply)
        return reply

    def say_all(self, texts: Iterable[str]) -> Reply:
        """Send each in turn; the last reply."""
        reply = None
        for text in texts:
            reply = self.say(text)
        assert reply is not None, "nothing to say"
        return reply

    @property
    def transcript(self) -> str:
        return "\n".join(str(r) for r in self.replies)

    @property
    def all_texts(self) -> list[str]:
        return [t for r in self.replies for t in r.texts]


@contextmanager
def conversation(stack: Stack) -> Iterator[Conversation]:
    """A new conversation with its own cookie, closed afterwards."""
    chat = WebChat(stack.api_url)
    try:
        yield Conversation(chat)
    finally:
        chat.close()


# --- walking the steps ---------------------------------------------------------------------

CALLER = {
    "name": "Jane Smith",
    "role": "Designated safeguarding lead",
    "agency": "Brookfield Primary School",
    "address": "jane.smith@brookfield.derby.sch.uk",
    "phone": "07700 900123",  # Ofcom's drama range: no real person is rung
}

CHILD = {
    "name": "Amy Jones",
    "dob": "3/4/2015",
    "address": "12 Oak Road, Derby DE22 1AB",
    "setting": "Brookfield Primary School",
    "carers": "Mum, Sarah Jones",
}


def consult(
    conv: Conversation,
    *,
    greeting: str | None = "hello",
    role: str = "/professional",
    caller: dict[str, str] | None = None,
    expect: str = ASK_KIND,
) -> Reply:
    """Greeting, the role question and the caller's details (SPEC §3 steps 1-3): returns the
    reply to the phone number, which asks `expect` (by default "named child or scenario?")."""
    if greeting is not None:
        reply = conv.say(greeting)
        assert ASK_ROLE in reply, conv.transcript
    details = {**CALLER, **(caller or {})}
    reply = conv.say_all(
        [role, details["name"], details["role"], details["agency"], details["address"]]
    )
    assert ASK_PHONE in reply, conv.transcript
    reply = conv.say(details["phone"])
    assert expect in reply, conv.transcript
    return reply


def named_child(conv: Conversation, child: dict[str, str] | None = None) -> Reply:
    """Choose "Named child" and give the child's details: returns the reply asking for the
    concern."""
    details = {**CHILD, **(child or {})}
    assert ASK_CITY in conv.say("/named_child"), conv.transcript
    reply = duty_first(conv)
    assert ASK_CHILD_NAME in reply, conv.transcript
    reply = conv.say_all(
        [details["name"], details["dob"], details["address"], details["setting"], details["carers"]]
    )
    assert ASK_OTHER_CHILDREN in reply, conv.transcript
    reply = conv.say("no")
    assert ASK_CONCERN in reply, conv.transcript
    return reply


def duty_first(conv: Conversation, in_city: str = "yes", open_to_csc: str = "no") -> Reply:
    """The duty manager's first questions: lives in the city, not open to social care."""
    assert ASK_OPEN_TO_CSC in conv.say(in_city), conv.transcript
    return conv.say(open_to_csc)


def scenario(conv: Conversation) -> Reply:
    assert ASK_CITY in conv.say("/scenario"), conv.transcript
    assert ASK_OTHER_CHILDREN in duty_first(conv), conv.transcript
    reply = conv.say("no")
    assert ASK_CONCERN in reply, conv.transcript
    return reply


def past_confirmation(conv: Conversation, reply: Reply) -> Reply:
    """Answers "No" when a concern was read as possible significant harm (rule 7's confirming
    question), so that a test about something else goes on where it was."""
    if ASK_CONFIRM_HARM in reply:
        return conv.say(HARM_NO)
    return reply


def thresholds(conv: Conversation, harm: str, needs: str, support: str, consent: str) -> Reply:
    """Answer the four threshold questions (a button's value or free text), each asked in
    turn: returns the advice. For a named child the family question has already answered the
    consent to early help (one question, never asked twice), so the advice follows support."""
    steps = ((harm, ASK_NEEDS), (needs, ASK_SUPPORT), (support, ASK_CONSENT), (consent, None))
    reply = None
    for answer, next_question in steps:
        reply = conv.say(answer)
        if next_question == ASK_CONSENT and ASK_FEEDBACK in reply:
            return reply
        if next_question:
            assert next_question in reply, conv.transcript
    assert reply is not None and ASK_FEEDBACK in reply, conv.transcript
    return reply


# --- what the stack recorded -----------------------------------------------------------------


@contextmanager
def _session(stack: Stack) -> Iterator[Session]:
    engine = make_engine(stack.database_url or "")
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def cipher(stack: Stack) -> FieldCipher:
    return FieldCipher(stack.encryption_key, stack.blind_index_key)


def contact_references(stack: Stack) -> list[str]:
    """Every contact's reference, in the order they were made (erased ones too)."""
    with _session(stack) as session:
        return list(session.scalars(select(Contact.reference).order_by(Contact.id)))


def contacts(stack: Stack) -> list[ContactView]:
    """Every contact, decrypted, oldest first."""
    with _session(stack) as session:
        repository = ContactRepository(session, cipher(stack), timezone="Europe/London")
        references = session.scalars(select(Contact.reference).order_by(Contact.id))
        return [repository.get(reference) for reference in references]


def ahead_of_every_unflagged_contact(stack: Stack, reference: str) -> bool:
    """Whether the IRT's queue (as the staff pages order it: significant harm first, then
    oldest) has the contact ahead of every contact not flagged."""
    with _session(stack) as session:
        listed = ContactRepository(session, cipher(stack), timezone="Europe/London").list()
    position = [c.reference for c in listed].index(reference)
    return all(c.significant_harm for c in listed[: position + 1])


def contact(stack: Stack, reference: str) -> ContactView:
    with _session(stack) as session:
        return ContactRepository(session, cipher(stack), timezone="Europe/London").get(reference)


@dataclass(frozen=True)
class Stat:
    event: str
    channel: str
    topic: str | None
    suggested_level: str | None
    day: str
    hour: int


def statistics(stack: Stack) -> list[Stat]:
    """Every anonymous statistic, oldest first."""
    with _session(stack) as session:
        rows = session.scalars(select(AnonymousStatistic).order_by(AnonymousStatistic.id))
        return [
            Stat(r.event, r.channel, r.topic, r.suggested_level, r.day.isoformat(), r.hour)
            for r in rows
        ]


@dataclass(frozen=True)
class Records:
    """What the database held at one moment, to compare with a later moment."""

    references: tuple[str, ...]
    stat_count: int

    @classmethod
    def now(cls, stack: Stack) -> Records:
        return cls(tuple(contact_references(stack)), len(statistics(stack)))

    def new_references(self, stack: Stack) -> list[str]:
        return [r for r in contact_references(stack) if r not in self.references]

    def new_contacts(self, stack: Stack) -> list[ContactView]:
        return [contact(stack, r) for r in self.new_references(stack)]

    def new_statistics(self, stack: Stack) -> list[Stat]:
        return statistics(stack)[self.stat_count :]

    def new_events(self, stack: Stack) -> Counter[str]:
        return Counter(s.event for s in self.new_statistics(stack))


def files_containing(stack: Stack, marker: str) -> list[str]:
    """Every file under the stack's data directory (database, logs) holding the marker."""
    needle = marker.encode()
    return [
        str(path)
        for path in sorted(stack.data_dir.rglob("*"))
        if path.is_file() and needle in path.read_bytes()
    ]
