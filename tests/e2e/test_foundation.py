"""The three processes working together: API → Rasa → action server → database."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from bot.adapters.db.database import make_engine
from bot.adapters.db.statistics import StatisticsRepository
from bot.domain.privacy import keyed_hash
from bot.domain.statistics import StatEvent
from tests.support.chat import WebChat
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


def conversations_started(stack: Stack) -> int:
    engine = make_engine(stack.database_url or "")
    try:
        with Session(engine) as session:
            return StatisticsRepository(session, timezone="Europe/London").count(
                StatEvent.CONVERSATION_STARTED
            )
    finally:
        engine.dispose()


def test_healthz_is_ok_when_rasa_the_actions_and_the_database_answer(stack: Stack) -> None:
    response = httpx.get(stack.api_url + "/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"rasa": "ok", "actions": "ok", "database": "ok"}


def test_hello_is_answered_by_a_custom_action_that_recorded_the_conversation(
    in_hours: Stack, chat: WebChat
) -> None:
    before = conversations_started(in_hours)
    messages = chat.say("hello")
    assert chat.last_status == 200
    text = " ".join(m["text"] for m in messages)
    # Wording composed by action_greet from the service file, not a domain.yml response;
    # action_session_start wrote the statistic through bot's repository in the same turn.
    assert "Derby City Council's Professional Consultation Line" in text
    assert conversations_started(in_hours) == before + 1
    cookie = chat.client.cookies.get("pcl_conversation")
    assert cookie and len(cookie) >= 24


def test_the_conversation_cookie_is_httponly_and_samesite_strict(stack: Stack) -> None:
    response = httpx.post(stack.api_url + "/chat/api/messages", json={"text": "hello"}, timeout=60)
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=strict" in header


def test_rasa_refuses_the_channel_and_its_api_without_the_token(stack: Stack) -> None:
    webhook = stack.rasa_url + "/webhooks/pcl/webhook"
    body = {"sender": "x", "message": "hello"}
    assert httpx.post(webhook, json=body).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert httpx.post(webhook, json=body, headers=wrong).status_code == 401
    assert httpx.get(stack.rasa_url + "/status").status_code == 401
    api_token = {"token": stack.rasa_api_token}
    assert httpx.get(stack.rasa_url + "/status", params=api_token).status_code == 200


def test_the_chat_channels_token_does_not_open_rasas_http_api(stack: Stack) -> None:
    """The API holds the channel's token only: with it, Rasa's HTTP API (which can replace
    the model) stays shut, and the channel's own readiness check is all it can read."""
    channel = {"token": stack.token}
    bearer = {"Authorization": f"Bearer {stack.token}"}
    assert httpx.get(stack.rasa_url + "/status", params=channel).status_code == 401
    put = httpx.put(stack.rasa_url + "/model", params=channel, json={}, headers=bearer)
    assert put.status_code == 401
    ready = httpx.get(stack.rasa_url + "/webhooks/pcl/ready", headers=bearer)
    assert ready.status_code == 200 and ready.json() == {"model_ready": True}
    assert httpx.get(stack.rasa_url + "/webhooks/pcl/ready").status_code == 401


def test_the_action_server_refuses_a_call_without_its_token(stack: Stack) -> None:
    actions = stack.url_of("actions")
    call = {"next_action": "action_session_start", "sender_id": "x", "tracker": {}, "domain": {}}
    assert httpx.post(actions + "/webhook", json=call, timeout=30).status_code == 401
    for wrong in ({"token": "wrong"}, {"token": stack.token}, {"token": stack.rasa_api_token}):
        response = httpx.post(actions + "/webhook", params=wrong, json=call, timeout=30)
        assert response.status_code == 401
    assert httpx.get(actions + "/actions", timeout=30).status_code == 401
    assert httpx.get(actions + "/health", timeout=30).status_code == 200
    # Rasa's own calls carry it: a turn runs its actions.
    reply = httpx.post(stack.api_url + "/chat/api/messages", json={"text": "hello"}, timeout=60)
    assert reply.status_code == 200


def test_a_typed_intent_is_taken_only_when_the_last_reply_offered_it(stack: Stack) -> None:
    def user_intents(chat: httpx.Client) -> list[tuple[str, str]]:
        cookie = chat.cookies.get("pcl_conversation") or ""
        sender = "web-" + keyed_hash(stack.hmac_key, "web:" + cookie)[:32]
        tracker = httpx.get(
            f"{stack.rasa_url}/conversations/{sender}/tracker",
            params={"token": stack.rasa_api_token},
            timeout=30,
        ).json()
        return [
            (e.get("text") or "", (e.get("parse_data") or {}).get("intent", {}).get("name", ""))
            for e in tracker.get("events", [])
            if e["event"] == "user"
        ]

    with httpx.Client(base_url=stack.api_url, timeout=60) as chat:
        greeting = chat.post("/chat/api/messages", json={"text": "hello"})
        offered = [b["payload"] for m in greeting.json()["messages"] for b in m["buttons"]]
        assert offered and "/significant_harm" not in offered
        chat.post("/chat/api/messages", json={"text": "/significant_harm"})
        # Not offered: read as the words, not as the intent.
        assert user_intents(chat)[1][0] == "significant_harm"
    with httpx.Client(base_url=stack.api_url, timeout=60) as chat:
        chat.post("/chat/api/messages", json={"text": "hello"})
        chat.post("/chat/api/messages", json={"text": offered[0]})
        assert user_intents(chat)[1] == (offered[0], offered[0].lstrip("/"))
