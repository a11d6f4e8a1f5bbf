"""Scale-out (SPEC §7): two API instances behind a load balancer (Debian's nginx, round robin),
each talking to its own Rasa instance; both Rasas share PostgreSQL (the tracker store) and Redis
(the lock store); one action server; the records in PostgreSQL. Round robin sends consecutive
turns of one conversation to different instances, so a conversation stays coherent only if
nothing about it lives in one instance.

The production layout this stands for is in docs/production.md. The tests skip without
PostgreSQL, Redis or nginx, except under PCL_REQUIRE_SERVICES=1 (`.ci/run`), where they fail."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator

import httpx
import pytest

from tests.support.consultations import named_child_turns
from tests.support.conversation import contact_references
from tests.support.load import (
    Caller,
    production_databases,
    production_env,
    read_contact,
)
from tests.support.nginx import Nginx, nginx_path
from tests.support.outbound import OutboundRecorder
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

IN_HOURS = "2026-11-26T11:00:00+00:00"
CONCURRENT = 6
CHAT_POSTS = re.compile(r"POST /chat/api/messages 200 ")


class Cluster:
    def __init__(self, stack: Stack, balancer: Nginx) -> None:
        self.stack = stack
        self.balancer = balancer

    @property
    def url(self) -> str:
        return self.balancer.url("api")

    def chat_posts(self) -> dict[str, int]:
        """How many chat turns each API instance has answered, from its request log."""
        return {
            name: len(CHAT_POSTS.findall((self.stack.log_dir / f"{name}.log").read_text()))
            for name in ("api", "api2")
        }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    nginx_path()
    with production_databases() as (records, trackers, user), OutboundRecorder() as outbound:
        data_dir = tmp_path_factory.mktemp("scaleout")
        stack = Stack(
            data_dir=data_dir,
            proxy_url=outbound.url,
            database_url=records,
            extra_env=production_env(trackers, user, IN_HOURS),
        )
        balancer = Nginx(data_dir / "nginx", {})
        try:
            stack.start_all()  # rasa, actions, api (which migrates the records database)
            rasa2 = stack.start_instance("rasa2", "rasa")
            stack.wait_ready("rasa2")
            stack.start_instance("api2", "api", PCL_RASA_URL=rasa2)
            stack.wait_ready("api2")
            balancer = Nginx(data_dir / "nginx", {"api": [stack.api_url, stack.url_of("api2")]})
            balancer.start()
            yield Cluster(stack, balancer)
        finally:
            balancer.stop()
            stack.stop_all()
            stack.twilio_api.close()
        assert outbound.attempts == []


def check_recorded(cluster: Cluster, callers: list[Caller], children: list[str]) -> None:
    """Each caller has its reference, and the contact holds what that caller said where it
    belongs (a turn handled out of order would put an answer in the wrong place)."""
    transcripts = "\n\n".join(c.transcript() for c in callers)
    for caller, child in zip(callers, children, strict=True):
        assert not caller.error and caller.unanswered == [], transcripts
        assert caller.reference, transcripts
        contact = read_contact(cluster.stack, caller.reference)
        assert (contact.child.name, contact.concern) == (child, f"late {child}"), transcripts
        assert contact.caller.role == "class teacher" and contact.child.carers == "mum"


def hold(cluster: Cluster, children: list[str]) -> list[Caller]:
    callers = [
        Caller(cluster.url, named_child_turns(child=child, concern=f"late {child}"))
        for child in children
    ]
    for caller in callers:
        caller.start()
        caller.start_gate.set()
    for caller in callers:
        caller.join(timeout=caller.deadline_seconds + 30)
        assert not caller.is_alive()
    return callers


def test_consecutive_turns_go_to_different_instances_and_the_form_keeps_its_place(
    cluster: Cluster,
) -> None:
    before = cluster.chat_posts()
    callers = hold(cluster, ["Amy Alternate"])
    check_recorded(cluster, callers, ["Amy Alternate"])
    after = cluster.chat_posts()
    turns = {name: after[name] - before[name] for name in after}
    # Strict round robin with one conversation: its turns alternate, one instance and then
    # the other, so each handled half of them (each API talks to its own Rasa).
    assert sum(turns.values()) == len(callers[0].turns)
    assert abs(turns["api"] - turns["api2"]) <= 1, turns


def test_concurrent_conversations_are_each_recorded_once(cluster: Cluster) -> None:
    before = contact_references(cluster.stack)
    children = [f"Amy Parallel{i}" for i in range(CONCURRENT)]
    callers = hold(cluster, children)
    check_recorded(cluster, callers, children)
    added = contact_references(cluster.stack)[len(before) :]
    assert sorted(added) == sorted(c.reference for c in callers)
    turns = cluster.chat_posts()
    assert min(turns.values()) > 0, turns


def test_an_sms_conversation_keeps_its_numbered_choices_across_instances(
    cluster: Cluster,
) -> None:
    """The numbers offered by one instance ("Reply 1 for …") are read by the other."""
    from tests.support.sms import SmsPhone

    stack = cluster.stack
    phone = SmsPhone(
        cluster.url,
        stack.twilio_auth_token,
        stack.public_base_url,
        number="+447700900777",
        to=stack.twilio_from,
    )
    child = "Amy Texted"
    replies = []
    try:
        for turn in named_child_turns(child=child, concern=f"late {child}"):
            body = "1" if turn in ("/professional", "/named_child") else turn
            reply = phone.send_text(body)
            assert "can't answer right now" not in reply, (turn, reply)
            replies.append(reply)
    finally:
        phone.close()
    assert "What is your name?" in replies[1]  # "1" chose "I'm a professional"
    assert "Does the child live in Derby city?" in replies[7]  # "1" chose "Named child"
    assert "child's full name" in replies[9]
    found = re.search(r"PCL-\d{4}-\d{6}", replies[-1])
    assert found, replies
    contact = read_contact(stack, found.group(0))
    assert (contact.child.name, contact.channel) == (child, "sms")


def test_the_balancer_carries_a_conversation_past_a_dead_api_instance(cluster: Cluster) -> None:
    """`kill -9` of one API instance between two turns of a conversation: nginx sends the
    following turns to the other instance, and the caller never notices. (A turn in flight at
    the kill is a different matter: see tests/faults.)"""
    stack = cluster.stack
    turns = named_child_turns(child="Amy Failover", concern="late Failover")
    replies = []
    with httpx.Client(base_url=cluster.url, timeout=60) as client:
        try:
            for number, turn in enumerate(turns):
                if number == 5:
                    stack.stop("api2", signal.SIGKILL)
                response = client.post("/chat/api/messages", json={"text": turn})
                assert response.status_code == 200, (turn, response.text)
                replies.append(" ".join(m["text"] for m in response.json()["messages"]))
        finally:
            stack.start("api2")
            stack.wait_ready("api2")
    found = re.search(r"PCL-\d{4}-\d{6}", replies[-1])
    assert found, replies
    contact = read_contact(stack, found.group(0))
    assert (contact.child.name, contact.concern) == ("Amy Failover", "late Failover")
