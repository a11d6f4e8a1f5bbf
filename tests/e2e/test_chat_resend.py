"""A web chat message resent with the same message id (the page's "Try again" after its reply
was lost) over the real stack: the same reply and one turn in Rasa's conversation, also when
the API lost the reply after Rasa had taken the turn (even the last one, which ends and
forgets the conversation), and when the two sends race. Counted in Rasa's tracker, through its
token-protected HTTP API, and in the contacts recorded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from bot.adapters.db.database import make_engine
from bot.adapters.db.models import AnsweredTurn
from bot.domain.privacy import keyed_hash, turn_key
from tests.support.chat import WebChat, new_message_id
from tests.support.consultations import REFERENCE, named_child_turns
from tests.support.conversation import contact_references
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


def sender_of(stack: Stack, chat: WebChat) -> str:
    cookie = chat.client.cookies.get("pcl_conversation") or ""
    return "web-" + keyed_hash(stack.hmac_key, "web:" + cookie)[:32]


def user_turns(stack: Stack, chat: WebChat) -> list[str]:
    """The texts Rasa's conversation took, in order."""
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{sender_of(stack, chat)}/tracker",
        params={"token": stack.rasa_api_token},
        timeout=30,
    )
    response.raise_for_status()
    return [e.get("text") or "" for e in response.json().get("events", []) if e["event"] == "user"]


def post(chat: WebChat, text: str, message_id: str) -> httpx.Response:
    return chat.client.post("/chat/api/messages", json={"text": text, "message_id": message_id})


def to_the_name_question(chat: WebChat) -> None:
    chat.say("hello")
    assert "What is your name?" in "\n".join(m["text"] for m in chat.say("/professional"))


def lose_the_kept_reply(stack: Stack, chat: WebChat, message_id: str, how: str) -> None:
    """What the database holds when the API instance answering a turn died after Rasa took it:
    its claim, unanswered (or nothing, had it released the claim before dying)."""
    key = turn_key(stack.hmac_key, sender_of(stack, chat), message_id)
    engine = make_engine(stack.database_url or "")
    try:
        with Session(engine) as session, session.begin():
            row = AnsweredTurn.turn_key == key
            if how == "claim left unanswered":
                died = datetime.now(UTC) - timedelta(minutes=1)
                session.execute(
                    update(AnsweredTurn).where(row).values(reply=None, received_at=died)
                )
            else:
                session.execute(delete(AnsweredTurn).where(row))
    finally:
        engine.dispose()


def test_a_resent_message_gets_the_same_reply_and_is_taken_once(in_hours: Stack) -> None:
    chat = WebChat(in_hours.api_url)
    try:
        to_the_name_question(chat)
        message_id = new_message_id()
        first = post(chat, "Jo Bloggs", message_id)
        again = post(chat, "Jo Bloggs", message_id)
        assert first.status_code == again.status_code == 200
        assert "role" in first.json()["messages"][-1]["text"]
        assert again.json() == first.json()
        assert user_turns(in_hours, chat) == ["hello", "/professional", "Jo Bloggs"]
        # The form kept its place: the next answer is the role, not a second name.
        assert "organisation" in chat.say("class teacher")[-1]["text"]
    finally:
        chat.close()


@pytest.mark.parametrize("how", ["claim left unanswered", "claim released"])
def test_a_reply_lost_after_rasa_took_the_turn_comes_back_from_the_conversation(
    in_hours: Stack, how: str
) -> None:
    chat = WebChat(in_hours.api_url)
    try:
        to_the_name_question(chat)
        message_id = new_message_id()
        first = post(chat, "Sam Jones", message_id)
        assert first.status_code == 200
        lose_the_kept_reply(in_hours, chat, message_id, how)
        again = post(chat, "Sam Jones", message_id)
        assert again.status_code == 200
        assert again.json() == first.json()  # Rasa's channel gave its replies again
        assert user_turns(in_hours, chat) == ["hello", "/professional", "Sam Jones"]
        assert "organisation" in chat.say("class teacher")[-1]["text"]
    finally:
        chat.close()


def test_a_lost_reply_to_the_message_that_ended_the_conversation_is_given_again(
    in_hours: Stack,
) -> None:
    chat = WebChat(in_hours.api_url)
    try:
        before = contact_references(in_hours)
        for turn in named_child_turns():
            replies = chat.say(turn)
            assert chat.last_status == 200, turn
        found = REFERENCE.search("\n".join(m["text"] for m in replies))
        assert found, replies
        assert contact_references(in_hours) == [*before, found.group(0)]
        feedback = replies[-1]["buttons"][0]["payload"]  # the answer that ends the conversation
        message_id = new_message_id()
        first = post(chat, feedback, message_id)
        assert first.status_code == 200
        assert "Thank you for your feedback" in first.text
        assert user_turns(in_hours, chat) == []  # it ended, and was forgotten
        lose_the_kept_reply(in_hours, chat, message_id, "claim left unanswered")
        again = post(chat, feedback, message_id)
        assert again.json() == first.json()  # not a new conversation's greeting
        assert user_turns(in_hours, chat) == []
        assert contact_references(in_hours) == [*before, found.group(0)]
    finally:
        chat.close()


def test_two_sends_of_one_message_at_once_make_one_turn(in_hours: Stack) -> None:
    chat = WebChat(in_hours.api_url)
    try:
        to_the_name_question(chat)
        message_id = new_message_id()
        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(lambda _: post(chat, "Alex Smith", message_id), range(2))
        assert first.status_code == second.status_code == 200
        assert first.json() == second.json()
        assert user_turns(in_hours, chat) == ["hello", "/professional", "Alex Smith"]
    finally:
        chat.close()


def test_the_same_text_with_a_new_id_or_without_one_is_a_new_turn(in_hours: Stack) -> None:
    chat = WebChat(in_hours.api_url, message_ids=False)
    try:
        chat.say("hello")
        chat.say("hello")
        chat.say("hello", message_id=new_message_id())
        chat.say("hello", message_id=new_message_id())
        assert chat.last_status == 200
        assert user_turns(in_hours, chat) == ["hello"] * 4
    finally:
        chat.close()
