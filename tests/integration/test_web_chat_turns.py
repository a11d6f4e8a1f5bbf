"""The web chat's message ids in the API process, with a stand-in for Rasa and a real SQLite
database: a resent message id gets the same reply and no second turn, a concurrent resend waits
for the first one's reply, a failure is not kept, nothing the caller typed is kept, and a claim
left by a delivery that died is taken over. The same over the real stack is in
tests/e2e/test_chat_resend.py."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.main import create_app
from api.rasa_client import RasaUnavailable
from api.routes.chat import COOKIE, NOT_KEPT
from api.services import AppServices
from bot.adapters.db.answered_turns import AnsweredTurnRepository
from bot.adapters.db.migrations import upgrade_to_head
from bot.adapters.db.models import AnsweredTurn
from bot.domain.privacy import keyed_hash, turn_key
from tests.integration.test_sms_webhook import HMAC_KEY, FakeRasa, make_settings
from tests.support.aio import run_sync

QUESTION = [
    {
        "text": "Is this about a named child, or a scenario?",
        "buttons": [
            {"title": "Named child (recorded)", "payload": "/named_child"},
            {"title": "Scenario (not recorded)", "payload": "/scenario"},
        ],
    }
]


class WebChatApi:
    """The app without its lifespan (ASGITransport runs none), one conversation's cookie."""

    def __init__(self, tmp_path: Path) -> None:
        # A short Rasa timeout, so that a repeat's patience (the timeout and 2 s) is short too.
        settings = make_settings(tmp_path, rasa_timeout_seconds=0.5)
        upgrade_to_head(settings.database_url)
        self.app: FastAPI = create_app(settings)
        self.services = AppServices.build(settings)
        self.rasa = FakeRasa()
        self.rasa.reply = QUESTION
        self.services.rasa = self.rasa  # type: ignore[assignment]
        self.app.state.services = self.services
        self.cookie = ""

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            response = await client.post("/chat/api/messages", json=body, headers=headers)
        self.cookie = response.cookies.get(COOKIE) or self.cookie
        return response

    async def say(self, text: str, message_id: str | None = None) -> httpx.Response:
        body = {"text": text} if message_id is None else {"text": text, "message_id": message_id}
        return await self.post(body)

    @property
    def sender(self) -> str:
        return "web-" + keyed_hash(HMAC_KEY, "web:" + self.cookie)[:32]

    def key(self, message_id: str) -> str:
        return turn_key(HMAC_KEY, self.sender, message_id)

    def rows(self) -> list[AnsweredTurn]:
        with Session(self.services.engine) as session:
            return list(session.scalars(select(AnsweredTurn)))

    def close(self) -> None:
        self.services.engine.dispose()


@pytest.fixture
def chat(tmp_path: Path) -> Iterator[WebChatApi]:
    api = WebChatApi(tmp_path)
    run_sync(api.say("hello", "first-message"))  # the conversation and its cookie
    api.rasa.turns.clear()
    api.rasa.message_ids.clear()
    yield api
    api.close()


def run(coroutine: Any) -> Any:
    return run_sync(coroutine)


def test_a_resent_message_id_gets_the_same_reply_and_no_second_turn(chat: WebChatApi) -> None:
    first = run(chat.say("Jo Bloggs", "message-0001"))
    assert first.status_code == 200
    assert first.json()["messages"][0]["buttons"][1]["payload"] == "/scenario"
    chat.rasa.reply = [{"text": "What is your role?"}]
    again = run(chat.say("Jo Bloggs", "message-0001"))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["content-type"].startswith("application/json")
    assert COOKIE in again.cookies  # the conversation goes on as before
    assert len(chat.rasa.turns) == 1
    # Rasa gets the keyed hash too, to take the message once even if this reply were lost.
    assert chat.rasa.message_ids == [chat.key("message-0001")]


def test_another_message_id_or_none_is_another_turn(chat: WebChatApi) -> None:
    run(chat.say("yes", "message-0001"))
    run(chat.say("yes", "message-0002"))
    run(chat.say("yes"))
    run(chat.say("yes"))
    assert len(chat.rasa.turns) == 4
    assert chat.rasa.message_ids[2:] == [None, None]  # the contract without ids is unchanged
    assert len(chat.rows()) == 3  # the fixture's first message, and the two with ids


def test_two_concurrent_sends_of_one_message_make_one_turn(chat: WebChatApi) -> None:
    chat.rasa.delay = 0.3

    async def both() -> list[httpx.Response]:
        return list(
            await asyncio.gather(chat.say("Jo", "message-0001"), chat.say("Jo", "message-0001"))
        )

    first, second = run(both())
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(chat.rasa.turns) == 1


def test_a_failed_turn_is_not_kept_so_a_resend_is_tried_again(chat: WebChatApi) -> None:
    chat.rasa.failure = RasaUnavailable("status 500")
    failed = run(chat.say("Jo", "message-0001"))
    assert failed.status_code == 503
    assert "999" in failed.text
    assert [row.turn_key for row in chat.rows()] == [chat.key("first-message")]
    chat.rasa.failure = None
    again = run(chat.say("Jo", "message-0001"))
    assert again.status_code == 200
    # Asked again with the same id: Rasa's channel answers it from the conversation if the
    # failed try did reach it (rasa_ext.once), rather than taking it twice.
    assert chat.rasa.message_ids == [chat.key("message-0001")] * 2


def test_a_part_of_a_reply_that_repeats_the_callers_words_is_never_kept(
    chat: WebChatApi,
) -> None:
    said = "Marker-7c1e my pupil told me something"
    chat.rasa.reply = [{"text": f"You said: {said}"}, *QUESTION]
    first = run(chat.say(said, "message-0001"))
    assert said in first.json()["messages"][0]["text"]  # the caller gets the reply once
    assert all("Marker-7c1e" not in (row.reply or "") for row in chat.rows())
    again = run(chat.say(said, "message-0001")).json()["messages"]
    assert again[0] == {"text": NOT_KEPT, "buttons": []}
    assert again[1] == first.json()["messages"][1]  # the question and its buttons stay
    assert len(chat.rasa.turns) == 1


def test_nothing_kept_holds_the_message_id_the_cookie_or_the_words(chat: WebChatApi) -> None:
    run(chat.say("Marker-3f9a Jo Bloggs", "message-0001-marker"))
    cookie = chat.cookie
    stored = [f"{row.turn_key} {row.channel} {row.reply}" for row in chat.rows()]
    assert len(stored) == 2
    for text in stored:
        assert "message-0001-marker" not in text and "first-message" not in text
        assert cookie not in text
        assert "Marker-3f9a" not in text
    assert json.loads(chat.rows()[-1].reply or "") == {"messages": QUESTION}


@pytest.mark.parametrize("message_id", ["short", "x" * 65, "has space", "semi;colon!", 12345678])
def test_a_message_id_that_is_not_8_to_64_letters_digits_dashes_or_underscores_is_refused(
    chat: WebChatApi, message_id: object
) -> None:
    response = run(chat.post({"text": "hello", "message_id": message_id}))
    assert response.status_code == 422
    assert response.json()["messages"][0]["text"]
    assert chat.rasa.turns == []


def claim_for(chat: WebChatApi, message_id: str, age: timedelta) -> None:
    with chat.services.sessions.begin() as session:
        AnsweredTurnRepository(session).claim(chat.key(message_id), "web", datetime.now(UTC) - age)


def test_a_resend_waits_for_the_first_delivery_still_being_answered(chat: WebChatApi) -> None:
    claim_for(chat, "message-0001", timedelta(0))  # another API instance is answering it
    kept = json.dumps({"messages": [{"text": "What is your role?", "buttons": []}]})

    def answer_later() -> None:
        time.sleep(0.6)
        with chat.services.sessions.begin() as session:
            AnsweredTurnRepository(session).save_reply(chat.key("message-0001"), kept)

    threading.Thread(target=answer_later).start()
    started = time.monotonic()
    response = run(chat.say("Jo", "message-0001"))
    assert 0.5 < time.monotonic() - started < 2
    assert response.status_code == 200
    assert response.json() == json.loads(kept)
    assert chat.rasa.turns == []


def test_a_claim_left_by_a_delivery_that_died_is_taken_over(chat: WebChatApi) -> None:
    # Its API instance was killed mid-turn: the claim has no reply, and never will.
    claim_for(chat, "message-0001", timedelta(seconds=60))
    response = run(chat.say("Jo", "message-0001"))
    assert response.status_code == 200
    assert chat.rasa.message_ids == [chat.key("message-0001")]  # Rasa's channel decides
    assert json.loads(chat.rows()[-1].reply or "") == response.json()


def test_a_recent_claim_left_unanswered_is_taken_over_once_the_patience_runs_out(
    chat: WebChatApi,
) -> None:
    claim_for(chat, "message-0001", timedelta(seconds=1))  # patience: 0.5 s + 2 s
    started = time.monotonic()
    response = run(chat.say("Jo", "message-0001"))
    assert 1 < time.monotonic() - started < 3
    assert response.status_code == 200
    assert len(chat.rasa.turns) == 1


@pytest.mark.parametrize("step", ["claim", "save_reply"])
def test_while_the_database_is_down_a_message_is_still_answered(
    chat: WebChatApi, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    def down(*_: object) -> None:
        raise OperationalError("SQL", {}, Exception("the database system is shutting down"))

    monkeypatch.setattr(AnsweredTurnRepository, step, down)
    response = run(chat.say("Jo", "message-0001"))
    assert response.status_code == 200
    # Rasa's channel still takes the message id once (rasa_ext.once).
    assert chat.rasa.message_ids == [chat.key("message-0001")]
