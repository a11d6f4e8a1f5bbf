"""SPEC §4 and rule 5: a scenario consultation leaves no trace once it ends or expires. A unique
marker typed in a scenario cannot be found in any file under the run's data directory, in any
database table, in Rasa's tracker store or in any log: on the embedded default (SQLite, Rasa's
in-memory store) and in the production setup (PostgreSQL for records and Rasa's SQL tracker
store, Redis for Rasa's lock store)."""

from __future__ import annotations

import re
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.statistics import StatisticsRepository
from bot.domain.contact import ContactView
from bot.domain.privacy import keyed_hash
from bot.domain.statistics import StatEvent
from tests.support.chat import WebChat
from tests.support.consultations import named_child_turns
from tests.support.load import production_databases
from tests.support.outbound import OutboundRecorder
from tests.support.services import libpq_url
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

IN_HOURS = "2026-11-26T11:00:00+00:00"


def new_marker() -> str:
    return "zqx" + secrets.token_hex(8)


def hold_scenario(chat: WebChat, marker: str, finish: bool = True) -> None:
    """A whole scenario consultation with the marker in the caller's name and the scenario."""
    for message in (
        "hello",
        "/professional",
        f"Jo {marker}",
        "class teacher",
        "Oakwood Primary",
        "office@oakwood.example.org",
        "01332 123456",
        "/scenario",
        "yes",
        "no",
        "no",
        f"what would you advise if a year 3 child seemed withdrawn ({marker}) after moving house",
    ):
        assert chat.say(message), message
    if finish:
        for message in ("no", "some", "partly", "yes", "/affirm"):
            assert chat.say(message), message


def sender_of(chat: WebChat, stack: Stack) -> str:
    cookie = chat.client.cookies.get("pcl_conversation") or ""
    return "web-" + keyed_hash(stack.hmac_key, "web:" + cookie)[:32]


def files_containing(directory: Path, marker: str) -> list[str]:
    needle = marker.encode()
    return [
        str(path) for path in directory.rglob("*") if path.is_file() and needle in path.read_bytes()
    ]


def rasa_tracker_text(stack: Stack, sender: str) -> str:
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.rasa_api_token},
        timeout=30,
    )
    assert response.status_code == 200
    return response.text


def scenario_statistics(stack: Stack) -> int:
    engine = create_engine(stack.database_url or "")
    try:
        with Session(engine) as session:
            return StatisticsRepository(session, timezone="Europe/London").count(
                StatEvent.SCENARIO_ADVICE
            )
    finally:
        engine.dispose()


def test_a_finished_scenario_leaves_no_trace_on_the_embedded_default(
    in_hours: Stack, chat: WebChat
) -> None:
    marker = new_marker()
    before = scenario_statistics(in_hours)
    hold_scenario(chat, marker)
    assert scenario_statistics(in_hours) == before + 1  # only the anonymous statistic stays
    assert files_containing(in_hours.data_dir, marker) == []
    assert marker not in rasa_tracker_text(in_hours, sender_of(chat, in_hours))
    assert marker not in in_hours.logs()


# --- the production setup: PostgreSQL and Redis ---------------------------------------------


@pytest.fixture(scope="module")
def production_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with (
        production_databases() as (records, trackers, user),  # records: the runtime login
        OutboundRecorder() as outbound,
    ):
        stack = Stack(
            data_dir=tmp_path_factory.mktemp("production"),
            proxy_url=outbound.url,
            database_url=records,
            extra_env={
                "PCL_NOW": IN_HOURS,
                "PCL_RASA_ENDPOINTS": "endpoints.production.yml",
                "PCL_TRACKER_DB_HOST": "127.0.0.1",
                "PCL_TRACKER_DB_PORT": "5432",
                "PCL_TRACKER_DB_NAME": make_url(trackers).database or "",
                "PCL_TRACKER_DB_USER": user,
                "PCL_TRACKER_DB_PASSWORD": "",
                "PCL_REDIS_HOST": "127.0.0.1",
                "PCL_REDIS_PORT": "6379",
                "PCL_REDIS_DB": "0",
                "PCL_REDIS_PASSWORD": "",  # the test Redis asks for none
                # Short enough for the expiry test to watch an abandoned scenario go.
                "PCL_CONVERSATION_IDLE_SECONDS": "8",
                "PCL_CONVERSATION_SWEEP_SECONDS": "1",
            },
        )
        stack.tracker_url = trackers  # type: ignore[attr-defined]
        try:
            stack.start_all()
            yield stack
        finally:
            stack.stop_all()
        assert outbound.attempts == []


def dump(url: str) -> str:
    result = subprocess.run(
        ["pg_dump", "--data-only", libpq_url(url)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def tracker_rows_with(url: str, marker: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM events WHERE data LIKE :m")
            return connection.execute(query, {"m": f"%{marker}%"}).scalar_one()
    finally:
        engine.dispose()


def test_the_production_setup_keeps_rasa_conversations_in_postgresql(
    production_stack: Stack,
) -> None:
    chat = WebChat(production_stack.api_url)
    marker = new_marker()
    hold_scenario(chat, marker, finish=False)
    tracker_url = production_stack.tracker_url  # type: ignore[attr-defined]
    assert tracker_rows_with(tracker_url, marker) > 0  # the store really is PostgreSQL
    chat.say("stop")
    assert tracker_rows_with(tracker_url, marker) == 0


def test_a_finished_scenario_leaves_no_trace_on_postgresql(production_stack: Stack) -> None:
    chat = WebChat(production_stack.api_url)
    marker = new_marker()
    hold_scenario(chat, marker)
    for url in (production_stack.database_url or "", production_stack.tracker_url):  # type: ignore[attr-defined]
        assert marker not in dump(url)
    assert files_containing(production_stack.data_dir, marker) == []
    assert marker not in production_stack.logs()


def test_an_abandoned_scenario_is_forgotten_when_it_expires(production_stack: Stack) -> None:
    chat = WebChat(production_stack.api_url)
    marker = new_marker()
    hold_scenario(chat, marker, finish=False)
    tracker_url = production_stack.tracker_url  # type: ignore[attr-defined]
    assert tracker_rows_with(tracker_url, marker) > 0
    deadline = time.monotonic() + 30
    while tracker_rows_with(tracker_url, marker) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert tracker_rows_with(tracker_url, marker) == 0
    assert marker not in dump(tracker_url)
    assert marker not in dump(production_stack.database_url or "")


# --- a named child: recorded, but never in plain text at rest --------------------------------


def hold_named_child(chat: WebChat, child: str, concern: str) -> str:
    """A named-child consultation; returns the contact's reference from the last replies."""
    *turns, last = named_child_turns(child, concern)
    for message in turns:
        assert chat.say(message), message
    replies = " ".join(m["text"] for m in chat.say(last))
    match = re.search(r"PCL-\d{4}-\d{6}", replies)
    assert match, replies
    return match.group(0)


def read_back(stack: Stack, reference: str) -> ContactView:
    engine = create_engine(stack.database_url or "")
    cipher = FieldCipher(stack.encryption_key, stack.blind_index_key)
    try:
        with Session(engine) as session:
            return ContactRepository(session, cipher, timezone="Europe/London").get(reference)
    finally:
        engine.dispose()


def test_a_named_child_is_encrypted_in_the_sqlite_file_and_reads_back(
    in_hours: Stack, chat: WebChat
) -> None:
    child, concern = f"Amy {new_marker()}", f"late most mornings {new_marker()}"
    reference = hold_named_child(chat, child, concern)
    contact = read_back(in_hours, reference)
    assert contact.child.name == child
    assert contact.concern == concern
    for secret in (child, concern):
        assert files_containing(in_hours.data_dir, secret) == []


def test_a_named_child_is_encrypted_in_postgresql_and_reads_back(production_stack: Stack) -> None:
    chat = WebChat(production_stack.api_url)
    child, concern = f"Amy {new_marker()}", f"late most mornings {new_marker()}"
    reference = hold_named_child(chat, child, concern)
    contact = read_back(production_stack, reference)
    assert (contact.child.name, contact.concern) == (child, concern)
    records = dump(production_stack.database_url or "")
    assert reference in records
    assert child not in records and concern not in records


# --- a named child, once saved: the contact is the record, the transcript is forgotten -------


def assert_forgotten_and_answering(
    chat: WebChat, tracker: Callable[[], str], typed: list[str], reference: str
) -> None:
    stored = tracker()
    assert [secret for secret in typed if secret in stored] == []
    assert reference in stored  # the slots the rest of the conversation reads are kept
    replies = " ".join(m["text"] for m in chat.say("/affirm"))  # the feedback button offered
    assert "Thank you for your feedback" in replies


def test_a_saved_named_child_is_forgotten_from_rasas_in_memory_store(
    in_hours: Stack, chat: WebChat
) -> None:
    child, concern = f"Amy {new_marker()}", f"late most mornings {new_marker()}"
    reference = hold_named_child(chat, child, concern)
    sender = sender_of(chat, in_hours)
    assert_forgotten_and_answering(
        chat,
        lambda: rasa_tracker_text(in_hours, sender),
        [child, concern, "Jo Bloggs", "Park Road"],
        reference,
    )
    assert read_back(in_hours, reference).child.name == child  # the record keeps them


def test_a_saved_named_child_is_forgotten_from_rasas_postgresql_store(
    production_stack: Stack,
) -> None:
    chat = WebChat(production_stack.api_url)
    child, concern = f"Amy {new_marker()}", f"late most mornings {new_marker()}"
    reference = hold_named_child(chat, child, concern)
    tracker_url = production_stack.tracker_url  # type: ignore[attr-defined]
    assert_forgotten_and_answering(chat, lambda: dump(tracker_url), [child, concern], reference)
    assert read_back(production_stack, reference).concern == concern


def test_a_harm_message_after_the_transcript_is_forgotten_loses_nothing_recorded(
    in_hours: Stack, chat: WebChat
) -> None:
    """The contact is completed from a conversation that no longer holds its details: the flag
    is raised and nothing it held is blanked (ContactRepository.update)."""
    child, concern = f"Amy {new_marker()}", f"late most mornings {new_marker()}"
    reference = hold_named_child(chat, child, concern)
    assert chat.say("her dad hit her with a belt last night")  # asks: significant harm?
    assert reference in " ".join(m["text"] for m in chat.say("yes"))
    contact = read_back(in_hours, reference)
    assert contact.significant_harm
    assert (contact.child.name, contact.caller.name) == (child, "Jo Bloggs")
    assert contact.concern is not None and contact.concern.startswith(concern)
