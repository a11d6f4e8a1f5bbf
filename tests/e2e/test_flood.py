"""Issue 19, acceptance 1: a flood of significant-harm messages from one client, through the real
processes with the real allowances, while a professional at another address consults.

The flooder (127.0.0.2) sends 500 harm messages within the minute, each pair a new conversation
("she said..." then the offered "Named child"), many at once. The chat's limit per client lets
some through and answers the rest 429 with the urgent routes; of the contacts it flags, at most
the allowance (PCL_FLAGGED_CONTACTS_PER_CLIENT) are not marked as from a flooding source; at most
the cap (PCL_IRT_ALERT_CAP) of messages reach the duty phone in any window, and the alerts held
back beyond it are told of in one summary once the window has room. Meanwhile the professional
(127.0.0.3), who disclosed first, finishes a named-child consultation without an error, and
their contact is first in the IRT's queue, ahead of every contact of the flood.

Its own stack (a fresh database, so "first in the queue" means first), with the limits of a
real deployment rather than the test rig's large ones (tests/support/stack.py); the window is
shortened so that the summary comes within the test."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest

from tests.conftest import IN_HOURS
from tests.support.alerts import wait_until
from tests.support.chat import WebChat
from tests.support.conversation import (
    ASK_ADDRESS,
    ASK_AGENCY,
    ASK_CHILD_ADDRESS,
    ASK_CHILD_CARERS,
    ASK_CHILD_DOB,
    ASK_CHILD_NAME,
    ASK_CHILD_SETTING,
    ASK_CITY,
    ASK_CONSENT_REASON,
    ASK_FAMILY_AWARE,
    ASK_KIND,
    ASK_NAME,
    ASK_OPEN_TO_CSC,
    ASK_OTHER_CHILDREN,
    ASK_PHONE,
    ASK_ROLE,
    ASK_ROLE_TITLE,
    CALLER,
    CERTAIN_DISCLOSURE,
    CHILD,
    IRT_PHONE,
    Conversation,
    contacts,
)
from tests.support.outbound import OutboundRecorder
from tests.support.stack import Stack
from tests.support.staff import StaffSession, add_staff

pytestmark = pytest.mark.e2e

FLOODER, PROFESSIONAL = "127.0.0.2", "127.0.0.3"
FLOOD_MESSAGES = 500
AT_ONCE = 25  # the flooder's requests in flight together
ALLOWANCE = 3  # flagged contacts per client an hour
CAP, WINDOW_SECONDS = 5, 40  # messages to the duty phone per window (10 minutes by default)
URGENT = ("999", IRT_PHONE)
SUMMARY = re.compile(r"and (\d+) more significant-harm contacts?")


@pytest.fixture(scope="module")
def flood_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with OutboundRecorder() as outbound:
        stack = Stack(
            data_dir=tmp_path_factory.mktemp("flood"),
            proxy_url=outbound.url,
            extra_env={
                "PCL_NOW": IN_HOURS,
                "PCL_RATE_LIMIT_CHAT_CLIENT": "60/minute",  # the default
                # The professional types faster than a person: their conversation's own limit
                # (20 a minute by default) is not what this test is about.
                "PCL_RATE_LIMIT_CHAT_CONVERSATION": "100/minute",
                "PCL_FLAGGED_CONTACTS_PER_CLIENT": f"{ALLOWANCE}/hour",
                "PCL_IRT_ALERT_CAP": f"{CAP} per {WINDOW_SECONDS} seconds",
            },
        )
        try:
            stack.start_all()
            yield stack
        finally:
            stack.stop_all()
            stack.twilio_api.close()
        assert outbound.attempts == []


@dataclass
class Flood:
    """The flooder's answers: each status, and what each 429 said."""

    statuses: list[int] = field(default_factory=list)
    refusals: list[tuple[str, str | None]] = field(default_factory=list)  # (text, Retry-After)
    sent_at: list[float] = field(default_factory=list)  # when each message was sent
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def seconds(self) -> float:
        """From the first message sent to the last."""
        return max(self.sent_at) - min(self.sent_at)

    def conversation(self, api_url: str) -> None:
        """One new conversation: the disclosure, then the "Named child" button it offers."""
        transport = httpx.HTTPTransport(local_address=FLOODER)
        with httpx.Client(base_url=api_url, timeout=60, transport=transport) as client:
            for text in (CERTAIN_DISCLOSURE, "/named_child"):
                with self.lock:
                    self.sent_at.append(time.monotonic())
                answer = client.post("/chat/api/messages", json={"text": text})
                with self.lock:
                    self.statuses.append(answer.status_code)
                    if answer.status_code == 429:
                        said = " ".join(m["text"] for m in answer.json()["messages"])
                        self.refusals.append((said, answer.headers.get("retry-after")))


# The professional's answers to each question, by a phrase of it (the last asked wins).
ANSWERS = (
    (ASK_ROLE, "/professional"),
    (ASK_NAME, CALLER["name"]),
    (ASK_ROLE_TITLE, CALLER["role"]),
    (ASK_AGENCY, CALLER["agency"]),
    (ASK_ADDRESS, CALLER["address"]),
    (ASK_PHONE, CALLER["phone"]),
    (ASK_CITY, "yes"),
    (ASK_OPEN_TO_CSC, "no"),
    (ASK_CHILD_NAME, CHILD["name"]),
    (ASK_CHILD_DOB, CHILD["dob"]),
    (ASK_CHILD_ADDRESS, CHILD["address"]),
    (ASK_CHILD_SETTING, CHILD["setting"]),
    (ASK_CHILD_CARERS, CHILD["carers"]),
    (ASK_OTHER_CHILDREN, "no"),
    (ASK_FAMILY_AWARE, "no"),
    (ASK_CONSENT_REASON, "at_risk"),
)


def next_answer(text: str) -> str | None:
    asked = [(text.rfind(question), answer) for question, answer in ANSWERS if question in text]
    return max(asked)[1] if asked else None


def consult_to_the_end(conv: Conversation, reference: str) -> None:
    """Answers every question until the advice says the contact is recorded."""
    for _ in range(30):
        reply = conv.replies[-1]
        if f"recorded as contact {reference}" in reply:
            return
        answer = next_answer(reply.text)
        assert answer is not None, conv.transcript
        conv.say(answer)
    raise AssertionError(f"the consultation did not end:\n{conv.transcript}")


def test_a_flood_of_harm_messages_is_marked_capped_and_summed_up_while_a_professional_consults(
    flood_stack: Stack,
) -> None:
    stack = flood_stack
    started = time.monotonic()
    chat = WebChat(stack.api_url, local_address=PROFESSIONAL)
    conv = Conversation(chat)
    try:
        # The professional discloses first: their contact is flagged before the flood begins.
        assert ASK_KIND in conv.say(CERTAIN_DISCLOSURE), conv.transcript
        reference = conv.say("/named_child").reference
        assert reference, conv.transcript

        flood = Flood()
        with ThreadPoolExecutor(AT_ONCE) as pool:
            sent = [
                pool.submit(flood.conversation, stack.api_url) for _ in range(FLOOD_MESSAGES // 2)
            ]
            # Meanwhile the professional answers every question to the advice.
            consult_to_the_end(conv, reference)
            for future in sent:
                future.result()
    finally:
        chat.close()

    # Within the minute, and never silent: 200, or 429 with the urgent routes.
    assert len(flood.statuses) == FLOOD_MESSAGES
    assert flood.seconds < 60, f"the flood took {flood.seconds:.0f} s to send"
    assert set(flood.statuses) <= {200, 429}, sorted(set(flood.statuses))
    assert flood.statuses.count(200) <= 60 and flood.refusals
    for said, retry_after in flood.refusals:
        assert all(route in said for route in URGENT), said
        assert retry_after and int(retry_after) >= 1

    # The professional's contact is whole; the flood's beyond the allowance are marked.
    recorded = {c.reference: c for c in contacts(stack)}
    mine = recorded.pop(reference)
    assert mine.significant_harm and not mine.flooding_source
    assert mine.child.name == CHILD["name"] and mine.caller.name == CALLER["name"]
    assert mine.family_aware == "no" and mine.advice_given
    flooded = list(recorded.values())
    assert all(c.significant_harm for c in flooded)
    unmarked = [c for c in flooded if not c.flooding_source]
    assert len(unmarked) <= ALLOWANCE < len(flooded), (len(unmarked), len(flooded))

    # The IRT's queue (JSON API and page): the professional's first, the flood's marked and last.
    username, password = add_staff(stack)
    with StaffSession(stack.api_url, username, password).sign_in().client() as irt:
        listed = irt.get("/irt/api/contacts").json()
        page = irt.get("/irt").text
    order = [c["reference"] for c in listed]
    assert order[0] == reference
    marks = [c["flooding_source"] for c in listed]
    assert marks == sorted(marks) and marks.count(True) == len(flooded) - len(unmarked)
    assert page.count('data-possible-flood="true"') >= marks.count(True)
    assert "Possible flood" in page

    # The duty phone: at most the cap in any window; the professional's alert among them; the
    # alerts held back told of in a summary once the window has room.
    phone = stack.twilio_api
    alerted = len(flooded) + 1
    wait_until(lambda: told_of(phone.message_times) >= alerted, WINDOW_SECONDS + 30, "the summary")
    times = phone.message_times
    assert at_most_per_window(times, CAP, WINDOW_SECONDS - 2), [
        round(t - started) for t, _ in times
    ]
    bodies = [body for _, body in times]
    assert any(reference in body for body in bodies[:CAP])
    summaries = [b for b in bodies if SUMMARY.search(b)]
    assert summaries and len(summaries) < len(bodies)
    assert "possible flood" in summaries[0] and "See the IRT queue" in summaries[0]
    assert told_of(times) == alerted  # each flagged contact told once: alone or in a summary
    print(
        f"\nflood: {FLOOD_MESSAGES} messages sent in {flood.seconds:.1f} s, "
        f"{flood.statuses.count(200)} answered, {len(flood.refusals)} refused (429); "
        f"{len(flooded)} flagged, {len(unmarked)} of them not marked; duty phone: "
        f"{len(bodies)} messages ({len(summaries)} a summary: {SUMMARY.search(summaries[0])[0]}); "
        f"{time.monotonic() - started:.1f} s from the first message to the summary"
    )


def told_of(times: list[tuple[float, str]]) -> int:
    """How many flagged contacts the duty phone's messages told of (a summary tells of many; a
    message sent again tells of nothing new)."""
    counts = [SUMMARY.search(body) for body in {body for _, body in times}]
    return sum(int(match.group(1)) if match else 1 for match in counts)


def at_most_per_window(times: list[tuple[float, str]], most: int, window: float) -> bool:
    moments = sorted(at for at, _ in times)
    return all(
        sum(1 for later in moments[i:] if later - at < window) <= most
        for i, at in enumerate(moments)
    )
