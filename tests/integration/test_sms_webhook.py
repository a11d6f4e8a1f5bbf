"""The Twilio webhook in the API process with a stand-in for Rasa and a real SQLite database:
signatures, retries (also racing ones), keywords, numbered choices and the fallback, checked
quickly and exactly. The same behaviour over the real stack is in tests/e2e/test_sms.py."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.main import create_app
from api.rasa_client import RasaUnavailable
from api.services import AppServices
from bot.adapters.crypto import generate_key
from bot.adapters.db.migrations import upgrade_to_head
from bot.adapters.db.models import AnsweredTurn, SmsConversation
from bot.adapters.settings import Settings
from bot.domain.privacy import log_id, sms_sender_id, turn_key
from tests.support.aio import run_sync
from tests.support.sms import SmsPhone, new_message_sid, parse_twiml

TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC = "https://pcl.example.gov.uk"
NUMBER = "+447700900123"
HMAC_KEY = "h" * 40
IN_HOURS = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
NAMED_OR_SCENARIO = [
    {
        "text": "Is this about a named child, or a scenario?",
        "buttons": [
            {"title": "Named child (recorded)", "payload": "/named_child"},
            {"title": "Scenario (not recorded)", "payload": "/scenario"},
        ],
    }
]


class FakeRasa:
    """Answers like Rasa's channel: a list of bot messages, after an optional delay."""

    def __init__(self) -> None:
        self.turns: list[tuple[str, str, str]] = []
        self.message_ids: list[str | None] = []
        self.clients: list[str | None] = []
        self.reply: list[dict[str, Any]] = [{"text": "What is your name?"}]
        self.delay = 0.0
        self.failure: Exception | None = None

    async def send(
        self,
        sender: str,
        text: str,
        channel: str,
        message_id: str | None = None,
        client: str | None = None,
    ) -> list[dict[str, Any]]:
        self.turns.append((sender, text, channel))
        self.message_ids.append(message_id)
        self.clients.append(client)
        await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        return self.reply

    async def is_ready(self) -> bool:
        return True


def make_settings(tmp_path: Path, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "rasa_token": "t" * 40,
        "hmac_key": HMAC_KEY,
        "encryption_keys": generate_key(),
        "blind_index_key": generate_key(),
        "database_url": f"sqlite:///{tmp_path / 'pcl.db'}",
        "twilio_account_sid": "AC" + "1" * 32,
        "twilio_auth_token": TOKEN,
        "public_base_url": PUBLIC,
        "sms_rasa_timeout_seconds": 0.5,
        "now": IN_HOURS,  # the urgent routes name the IRT, not the out-of-hours service
    }
    base.update(values)
    return Settings(**base)


class Webhook:
    """The app without its lifespan (ASGITransport runs none): services built here, with the
    fake Rasa put in."""

    def __init__(self, settings: Settings) -> None:
        upgrade_to_head(settings.database_url)
        self.app: FastAPI = create_app(settings)
        self.services = AppServices.build(settings)
        self.rasa = FakeRasa()
        self.services.rasa = self.rasa  # type: ignore[assignment]
        self.app.state.services = self.services
        self.phone = SmsPhone("http://unused", TOKEN, PUBLIC, number=NUMBER)

    async def post(
        self, params: dict[str, str], headers: dict[str, str] | None = None, url: str = ""
    ) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            return await client.post(url or "/sms/twilio", data=params, headers=headers or {})

    async def send(self, body: str, sid: str | None = None, **form: str) -> httpx.Response:
        params = self.phone.form(body, sid or new_message_sid()) | form
        return await self.post(params, {"X-Twilio-Signature": self.phone.signature(params)})

    def rows(self) -> list[AnsweredTurn]:
        with Session(self.services.engine) as session:
            return list(session.scalars(select(AnsweredTurn)))

    def close(self) -> None:
        self.services.engine.dispose()


@pytest.fixture
def webhook(tmp_path: Path) -> Iterator[Webhook]:
    hook = Webhook(make_settings(tmp_path))
    yield hook
    hook.close()


def run(coroutine: Any) -> Any:
    return run_sync(coroutine)


def messages(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return parse_twiml(response.text)


def test_sms_is_off_without_twilio_credentials(tmp_path: Path) -> None:
    hook = Webhook(
        make_settings(tmp_path, twilio_account_sid="", twilio_auth_token="", public_base_url="")
    )
    try:
        assert run(hook.send("hello")).status_code == 404
        assert hook.rasa.turns == []
    finally:
        hook.close()


def test_a_signed_message_is_one_sms_turn_keyed_by_a_hash_of_the_number(
    webhook: Webhook,
) -> None:
    assert messages(run(webhook.send("hello"))) == ["What is your name?"]
    assert webhook.rasa.turns == [(sms_sender_id(HMAC_KEY, NUMBER), "hello", "sms")]
    assert "7700900123" not in webhook.rasa.turns[0][0]


def test_without_a_signature_the_answer_is_403_and_nothing_happens(webhook: Webhook) -> None:
    response = run(webhook.post(webhook.phone.form("hello", new_message_sid())))
    assert response.status_code == 403
    assert webhook.rasa.turns == []
    assert webhook.rows() == []


@pytest.mark.parametrize("tamper", ["wrong token", "changed body", "other url", "garbage"])
def test_a_wrong_signature_is_403_and_nothing_happens(webhook: Webhook, tamper: str) -> None:
    params = webhook.phone.form("hello", new_message_sid())
    signature = webhook.phone.signature(params)
    if tamper == "wrong token":
        signature = SmsPhone("http://unused", "another-token", PUBLIC).signature(params)
    elif tamper == "changed body":
        params = params | {"Body": "something else"}
    elif tamper == "other url":
        signature = webhook.phone.validator.compute_signature(
            "https://attacker.example/sms/twilio", params
        )
    else:
        signature = "not-a-signature"
    response = run(webhook.post(params, {"X-Twilio-Signature": signature}))
    assert response.status_code == 403
    assert webhook.rasa.turns == []
    assert webhook.rows() == []


def test_the_query_string_is_part_of_what_twilio_signs(webhook: Webhook) -> None:
    params = webhook.phone.form("hello", new_message_sid())
    url = "/sms/twilio?channel=line"
    signature = webhook.phone.validator.compute_signature(PUBLIC + url, params)
    assert run(webhook.post(params, {"X-Twilio-Signature": signature}, url)).status_code == 200
    unsigned_query = webhook.phone.signature(params)
    response = run(webhook.post(params | {"MessageSid": new_message_sid()}, {}, url))
    assert response.status_code == 403
    response = run(webhook.post(params, {"X-Twilio-Signature": unsigned_query}, url))
    assert response.status_code == 403


def test_a_retried_message_sid_gets_the_same_reply_and_no_second_turn(webhook: Webhook) -> None:
    sid = new_message_sid()
    first = run(webhook.send("hello", sid))
    webhook.rasa.reply = [{"text": "Something else"}]
    second = run(webhook.send("hello", sid))
    assert second.text == first.text
    assert len(webhook.rasa.turns) == 1
    # Kept under a keyed hash of the sender and the MessageSid, never the MessageSid itself;
    # Rasa gets the same key, to take the message once even if the reply is lost.
    expected = turn_key(HMAC_KEY, sms_sender_id(HMAC_KEY, NUMBER), sid)
    assert [row.turn_key for row in webhook.rows()] == [expected]
    assert [(row.channel, row.reply) for row in webhook.rows()] == [("sms", first.text)]
    assert webhook.rasa.message_ids == [expected]


def test_two_concurrent_deliveries_of_one_message_make_one_turn(webhook: Webhook) -> None:
    webhook.rasa.delay = 0.3
    sid = new_message_sid()

    async def both() -> list[httpx.Response]:
        return list(await asyncio.gather(webhook.send("hello", sid), webhook.send("hello", sid)))

    first, second = run(both())
    assert messages(first) == messages(second) == ["What is your name?"]
    assert len(webhook.rasa.turns) == 1


def test_a_hung_assistant_gets_the_urgent_routes_within_the_sms_timeout(
    webhook: Webhook,
) -> None:
    webhook.rasa.delay = 10
    started = time.perf_counter()
    text = "\n".join(messages(run(webhook.send("hello"))))
    assert time.perf_counter() - started < 1.5  # the timeout here is 0.5 s
    assert "999" in text and "01332 641172" in text


@pytest.mark.parametrize("failure", ["unavailable", "nothing"])
def test_an_assistant_that_fails_or_says_nothing_gets_the_urgent_routes(
    webhook: Webhook, failure: str
) -> None:
    if failure == "unavailable":
        webhook.rasa.failure = RasaUnavailable("status 500")
    else:
        webhook.rasa.reply = [{"text": ""}]
    text = "\n".join(messages(run(webhook.send("hello"))))
    assert "999" in text and "01332 641172" in text


def test_a_number_maps_back_to_the_offered_buttons_payload(webhook: Webhook) -> None:
    webhook.rasa.reply = NAMED_OR_SCENARIO
    offered = messages(run(webhook.send("hello")))
    assert offered[0].endswith("Reply 1 for Named child (recorded), 2 for Scenario (not recorded)")
    webhook.rasa.reply = [{"text": "What is the child's full name?"}]
    run(webhook.send("2"))
    assert webhook.rasa.turns[-1][1] == "/scenario"
    run(webhook.send("2"))  # no buttons last time: a number is text again
    assert webhook.rasa.turns[-1][1] == "2"


def test_a_number_not_offered_is_asked_again_without_a_turn(webhook: Webhook) -> None:
    webhook.rasa.reply = NAMED_OR_SCENARIO
    run(webhook.send("hello"))
    assert messages(run(webhook.send("7"))) == [
        "Sorry, please reply with a number from 1 to 2, or type your answer."
    ]
    assert len(webhook.rasa.turns) == 1
    run(webhook.send("1"))  # the choices still stand
    assert webhook.rasa.turns[-1][1] == "/named_child"


def test_help_is_answered_without_a_turn(webhook: Webhook) -> None:
    text = messages(run(webhook.send(" help ")))[0]
    assert "Professional Consultation Line" in text and "999" in text
    assert webhook.rasa.turns == []


@pytest.mark.parametrize("body", ["STOP", "stop", "Unsubscribe", "START"])
def test_opt_out_and_opt_in_words_get_an_empty_reply_and_no_turn(
    webhook: Webhook, body: str
) -> None:
    assert messages(run(webhook.send(body))) == []
    assert webhook.rasa.turns == []


def test_stop_inside_a_sentence_goes_to_the_assistant(webhook: Webhook) -> None:
    run(webhook.send("Please stop, I made a mistake"))
    assert webhook.rasa.turns[0][1] == "Please stop, I made a mistake"


@pytest.mark.parametrize("body", ["", "   ", "\x00\n\t "])
def test_an_empty_message_gets_a_clear_reply_and_no_turn(webhook: Webhook, body: str) -> None:
    text = messages(run(webhook.send(body)))[0]
    assert "empty" in text
    assert webhook.rasa.turns == []


def test_a_2000_character_message_asks_for_a_shorter_one(webhook: Webhook) -> None:
    text = messages(run(webhook.send("x" * 2000)))[0]
    assert "shorter" in text
    assert webhook.rasa.turns == []


def test_a_long_reply_is_split_into_messages_within_twilios_limit(webhook: Webhook) -> None:
    webhook.rasa.reply = [{"text": "A sentence of advice. " * 60}, {"text": "B" * 1500}]
    parts = messages(run(webhook.send("hello")))
    assert len(parts) >= 2
    assert all(len(part) <= 1600 for part in parts)


def test_nothing_kept_or_logged_holds_the_number_or_the_words(
    webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    webhook.rasa.reply = NAMED_OR_SCENARIO
    marker = "Marker-5d2f the child said an adult hurts him"
    run(webhook.send(marker))
    run(webhook.send("1"))
    with Session(webhook.services.engine) as session:
        stored = [
            *(f"{m.turn_key} {m.reply}" for m in session.scalars(select(AnsweredTurn))),
            *(f"{c.sender_id} {c.choices}" for c in session.scalars(select(SmsConversation))),
        ]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in (*stored, logged):
        assert "7700900123" not in text
        assert "Marker-5d2f" not in text


def test_a_reply_echoing_the_caller_is_not_kept_for_retries(webhook: Webhook) -> None:
    said = "Marker-9a1b my pupil told me something"
    webhook.rasa.reply = [{"text": f"You said: {said}"}]
    sid = new_message_sid()
    first = messages(run(webhook.send(said, sid)))
    assert said in first[0]  # the caller still gets the reply once
    assert all(said not in (row.reply or "") for row in webhook.rows())
    retry = messages(run(webhook.send(said, sid)))
    assert retry == ["Sorry, please send your last message again."]
    assert len(webhook.rasa.turns) == 1


def test_a_delivery_without_a_message_sid_or_sender_is_refused(webhook: Webhook) -> None:
    params = webhook.phone.form("hello", "")
    signed = {"X-Twilio-Signature": webhook.phone.signature(params)}
    assert run(webhook.post(params, signed)).status_code == 400
    assert webhook.rasa.turns == []


def test_each_request_is_logged_once_with_its_route_and_pseudonym(
    webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="api.request")
    run(webhook.send("hello"))
    run(webhook.post({"Body": "unsigned"}))
    lines = [r.getMessage() for r in caplog.records if r.name == "api.request"]
    pseudonym = log_id(HMAC_KEY, sms_sender_id(HMAC_KEY, NUMBER))
    assert len(lines) == 2
    assert re.fullmatch(rf"POST /sms/twilio 200 [0-9.]+ms conversation={pseudonym}", lines[0])
    assert re.fullmatch(r"POST /sms/twilio 403 [0-9.]+ms conversation=-", lines[1])
