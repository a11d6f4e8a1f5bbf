"""Faults under load, on the production setup (PostgreSQL for records and Rasa's trackers,
Redis for Rasa's locks): while a few professionals are in the middle of named-child
consultations, a part of the stack dies (`kill -9` of its whole process group) and is
started again, as a service manager would.

For each part: while it is down, a caller is never left with silence: the API answers 503 with
the urgent routes (999 and the IRT's number), or, when the API itself is down, nothing answers
(in production the load balancer's other API instances do: tests/scaleout). Once it is back,
every conversation carries on where it was, resending the turn that failed, to its contact's
reference; and each consultation is recorded exactly once (no contact lost, none doubled).

The stack's databases are on a PostgreSQL server of this file's own (tests.support.services.
PrivatePostgres), which the PostgreSQL test restarts: the machine's shared server, which the
tests running beside these use, is never touched. The tests skip without PostgreSQL and Redis,
except under PCL_REQUIRE_SERVICES=1 (`.ci/run`), where they fail."""

from __future__ import annotations

import secrets
import signal
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.support.consultations import REFERENCE, has_urgent_routes, named_child_turns
from tests.support.conversation import contact_references
from tests.support.load import (
    Caller,
    production_databases,
    production_env,
    read_contact,
    say,
    wait_until,
)
from tests.support.outbound import OutboundRecorder
from tests.support.services import PrivatePostgres, private_postgres
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

IN_HOURS = "2026-11-26T11:00:00+00:00"
CALLERS = 3
OUTAGE_TIMEOUT = 60  # seconds for every caller in the middle of a consultation to notice


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture(scope="module")
def production_stack(
    postgres_server: PrivatePostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with (
        production_databases(postgres_server.admin_url) as (records, trackers, user),
        OutboundRecorder() as outbound,
    ):
        stack = Stack(
            data_dir=tmp_path_factory.mktemp("faults"),
            proxy_url=outbound.url,
            database_url=records,
            extra_env=production_env(trackers, user, IN_HOURS),
        )
        try:
            stack.start_all()
            yield stack
        finally:
            stack.stop_all()
            stack.twilio_api.close()
        assert outbound.attempts == []


def staggered_callers(stack: Stack, tag: str) -> list[Caller]:
    """Callers at different points of their consultation: the first near its end (where the
    contact is written), the second in the child's details, the last just started."""
    callers = [
        Caller(stack.api_url, named_child_turns(child=f"Amy {tag}{i}", concern=f"late {tag}{i}"))
        for i in range(CALLERS)
    ]
    for caller in callers:
        caller.start()
    callers[0].start_gate.set()
    wait_until(lambda: callers[0].done >= 7, 120, "the first caller's seventh turn")
    callers[1].start_gate.set()
    wait_until(lambda: callers[1].done >= 7, 120, "the second caller's seventh turn")
    callers[2].start_gate.set()
    wait_until(lambda: callers[2].done >= 2, 120, "the third caller's second turn")
    return callers


def noticed_outage(caller: Caller) -> bool:
    return bool(caller.unanswered) or not caller.is_alive()


def survive(
    stack: Stack,
    tag: str,
    take_down: Callable[[], None],
    bring_back: Callable[[], None],
    wait_for_every_caller: bool = True,
) -> list[Caller]:
    """Callers under way, the fault, the recovery; returns the callers once they are done,
    having checked that no contact was lost or doubled. The part stays down until every
    caller has met the outage (or finished), unless `wait_for_every_caller` is False."""
    before = contact_references(stack)
    callers = staggered_callers(stack, tag)
    take_down()
    try:
        if wait_for_every_caller:
            wait_until(
                lambda: all(noticed_outage(c) for c in callers),
                OUTAGE_TIMEOUT,
                "every caller to meet the outage",
            )
    finally:
        bring_back()
    for caller in callers:
        caller.join(timeout=caller.deadline_seconds + 30)
    transcripts = "\n\n".join(c.transcript() for c in callers)
    for caller in callers:  # shown with -s, or when the test fails
        print(
            f"{tag}: {caller.done} turns, {caller.urgent_replies} urgent 503s, "
            f"{caller.refused} unanswered, reference {caller.reference}"
        )
    for caller in callers:
        assert not caller.is_alive() and not caller.error, transcripts
        assert caller.other_failures == [], transcripts
        # The conversation carried on: the form kept its place to the end.
        assert caller.reference, transcripts
    added = contact_references(stack)[len(before) :]
    given = [c.reference for c in callers]
    assert sorted(added) == sorted(given), (added, given, transcripts)
    # Each answer went where it belonged: no resent turn shifted the form by a question.
    for i, caller in enumerate(callers):
        contact = read_contact(stack, caller.reference or "")
        assert (contact.child.name, contact.concern) == (f"Amy {tag}{i}", f"late {tag}{i}")
        assert contact.caller.role == "class teacher" and contact.child.carers == "mum"
    return callers


def kill(stack: Stack, name: str) -> Callable[[], None]:
    return lambda: stack.stop(name, signal.SIGKILL)


def restart(stack: Stack, name: str) -> Callable[[], None]:
    def bring_back() -> None:
        stack.start(name)
        stack.wait_healthy()

    return bring_back


def test_the_action_server_killed_under_load(production_stack: Stack) -> None:
    stack = production_stack
    callers = survive(stack, "actions", kill(stack, "actions"), restart(stack, "actions"))
    assert sum(c.urgent_replies for c in callers) > 0  # while it was down: the urgent routes


def test_rasa_killed_under_load(production_stack: Stack) -> None:
    stack = production_stack
    callers = survive(stack, "rasa", kill(stack, "rasa"), restart(stack, "rasa"))
    assert sum(c.urgent_replies for c in callers) > 0


# The same, one turn at a time: the turn that meets the failure (answered with the urgent
# routes, however often it is sent, as the same message or typed again) leaves nothing in the
# conversation, so once the part is back the answer goes where it belongs. The action server
# killed at the child's date of birth (a form validation) and at the last answer; and started
# without its database at the last answer, so that the form takes the answer and the action
# writing the contact fails in the same turn (Rasa 3.6 would keep that half turn: the answer
# resent then meets a finished form and a fallback; rasa_ext.whole_turn).
@pytest.mark.parametrize(
    ("at", "fault"),
    [(11, "killed"), (20, "killed"), (20, "without its database")],
)
def test_a_failed_turn_leaves_no_trace(production_stack: Stack, at: int, fault: str) -> None:
    stack = production_stack
    child, concern = f"Amy Gone{at}", f"late gone{at}"
    turns = named_child_turns(child=child, concern=concern)
    before = contact_references(stack)
    with httpx.Client(base_url=stack.api_url, timeout=60) as client:
        for turn in turns[:at]:
            assert say(client, turn, secrets.token_urlsafe(16)).status == 200, turn
        resent = secrets.token_urlsafe(16)
        stack.stop("actions", signal.SIGKILL)
        try:
            if fault == "without its database":
                unreachable = make_url(stack.database_url or "").set(host="127.0.0.1", port=9)
                stack.start("actions", PCL_DATABASE_URL=unreachable.render_as_string(False))
                stack.wait_ready("actions")
            for message_id in (resent, resent, secrets.token_urlsafe(16)):
                met = say(client, turns[at], message_id)
                assert met.status == 503 and has_urgent_routes(met.text), met
        finally:
            stack.stop("actions", signal.SIGKILL)
            restart(stack, "actions")()
        last = say(client, turns[at], resent)
        for turn in turns[at + 1 :]:
            assert last.status == 200, last
            last = say(client, turn, secrets.token_urlsafe(16))
    assert last.status == 200, last
    found = REFERENCE.search(last.text)
    assert found, last
    assert contact_references(stack)[len(before) :] == [found.group(0)]
    contact = read_contact(stack, found.group(0))
    assert (contact.child.name, contact.concern) == (child, concern)
    assert contact.child.address == "14 Park Road, Derby DE1 2AB"


# A turn that Rasa applied but whose reply was lost (the API died mid-turn) is resent with the
# same message id, as the web chat's "Try again" does (tests/support/load.py): the restarted
# API takes over the dead instance's unanswered claim, and Rasa's channel answers the id it
# already holds with the replies it gave then (bot.services.answered_turns, rasa_ext.once), so the
# answer never lands in the next question's place.
def test_the_api_killed_under_load(production_stack: Stack) -> None:
    stack = production_stack
    callers = survive(stack, "api", kill(stack, "api"), restart(stack, "api"))
    assert sum(c.refused for c in callers) > 0  # nothing answers: the load balancer's job


# --- PostgreSQL: the stack's own server ------------------------------------------------------


def test_postgresql_restarted_under_load(
    production_stack: Stack, postgres_server: PrivatePostgres
) -> None:
    stack = production_stack
    restarted: list[float] = []

    def take_down() -> None:
        started = time.monotonic()
        postgres_server.restart()  # pg_ctl waits until the server accepts connections again
        restarted.append(time.monotonic() - started)

    def bring_back() -> None:
        stack.wait_healthy()  # the engines' pool_pre_ping reconnects: nothing is restarted

    # The restart takes a second or two: callers meet it only if a turn falls inside it.
    survive(stack, "postgres", take_down, bring_back, wait_for_every_caller=False)
    assert restarted
