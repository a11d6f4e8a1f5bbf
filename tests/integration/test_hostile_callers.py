"""Hostile callers (issue 19): rate limits on the chat, SMS and sign-in that never leave a caller
silent, a sign-in lock that a stranger cannot turn against an account's holder, a cap on the
Argon2 checks running at once, the client's address believed from configured proxies only,
and a conversation id the client cannot choose."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.client_address import client_address
from bot.adapters.rate_limits import RateLimiter, parse_limit
from bot.domain.audit import AuditAction
from tests.integration.test_sms_webhook import Webhook, make_settings, parse_twiml
from tests.support.aio import run_sync
from tests.support.irt import PASSWORD, IrtApp, irt_app

URGENT = ("999", "01332")  # the urgent routes: 999 and where to call now


class ButtonRasa:
    """Rasa's stand-in: every turn answers with a question and two buttons."""

    def __init__(self) -> None:
        self.turns: list[tuple[str, str]] = []
        self.clients: list[str | None] = []

    async def send(
        self, sender: str, text: str, channel: str, client: str | None = None, **_: Any
    ) -> list[dict[str, Any]]:
        self.turns.append((sender, text))
        self.clients.append(client)
        buttons = [{"title": "Named child", "payload": "/named_child"}]
        return [{"text": "Is this about a named child?", "buttons": buttons}]

    async def is_ready(self) -> bool:
        return True

    async def aclose(self) -> None:
        return None


@pytest.fixture
def chat_app(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(
        tmp_path,
        rate_limit_chat_client="30/minute",
        rate_limit_chat_conversation="20/minute",
        now="2026-11-26T11:00:00+00:00",  # in hours: the urgent routes name the IRT
    ) as app:
        app.client.app.state.services.rasa = ButtonRasa()  # type: ignore[attr-defined]
        yield app


def say(client: TestClient, text: str) -> Any:
    return client.post("/chat/api/messages", json={"text": text})


# --- the chat ---------------------------------------------------------------------------------


def test_a_flooding_client_gets_429s_with_the_urgent_routes_while_another_consults(
    chat_app: IrtApp,
) -> None:
    flooder = chat_app.new_client("198.51.100.7")
    professional = chat_app.new_client("203.0.113.20")
    statuses = []
    for number in range(60):
        response = say(flooder, f"message {number}")
        statuses.append(response.status_code)
        if response.status_code == 429:
            text = response.json()["messages"][0]["text"]
            assert all(route in text for route in URGENT), text
            assert response.json()["messages"][0]["buttons"] == []
            assert int(response.headers["retry-after"]) >= 1
        # Meanwhile another professional's consultation goes on.
        if number % 10 == 0:
            answer = say(professional, "hello")
            assert answer.status_code == 200
            assert answer.json()["messages"][0]["buttons"][0]["payload"] == "/named_child"
    assert statuses[:20] == [200] * 20  # one conversation's limit is 20 a minute
    assert statuses.count(429) >= 35


def test_a_client_starting_new_conversations_to_dodge_the_limit_meets_its_own(
    chat_app: IrtApp,
) -> None:
    statuses = []
    for _ in range(40):
        dodger = chat_app.new_client("198.51.100.8")  # no cookie: a new conversation each time
        statuses.append(say(dodger, "hello").status_code)
    assert statuses[:30] == [200] * 30 and set(statuses[30:]) == {429}


def test_a_forwarded_for_header_from_anyone_but_a_trusted_proxy_is_ignored() -> None:
    class Peer:
        def __init__(self, host: str, forwarded: str) -> None:
            self.client = type("Client", (), {"host": host})()
            self.headers = type("H", (), {"getlist": lambda _, __: [forwarded]})()

    proxies = frozenset({"10.0.0.2"})
    assert client_address(Peer("10.0.0.2", "203.0.113.5"), proxies) == "203.0.113.5"  # type: ignore[arg-type]
    # A client's own header names whoever they like: only the proxy's last hop counts.
    assert client_address(Peer("10.0.0.2", "1.2.3.4, 203.0.113.5"), proxies) == "203.0.113.5"  # type: ignore[arg-type]
    assert client_address(Peer("198.51.100.9", "203.0.113.5"), proxies) == "198.51.100.9"  # type: ignore[arg-type]


def test_a_conversation_id_the_client_invents_starts_a_new_conversation(
    chat_app: IrtApp,
) -> None:
    client = chat_app.new_client()
    say(client, "hello")
    issued = client.cookies["pcl_conversation"]
    assert say(client, "again").status_code == 200
    assert client.cookies["pcl_conversation"] == issued  # kept while it is the server's own
    invented = chat_app.new_client()
    answer = invented.post(
        "/chat/api/messages",
        json={"text": "hello"},
        headers={"Cookie": "pcl_conversation=chosen-by-the-caller"},
    )
    given = answer.cookies.get("pcl_conversation")
    assert given and given != "chosen-by-the-caller"
    rasa: ButtonRasa = chat_app.client.app.state.services.rasa  # type: ignore[attr-defined]
    assert len({sender for sender, _ in rasa.turns}) == 2


def test_rasa_is_told_each_client_as_a_keyed_hash_to_count_its_flags(chat_app: IrtApp) -> None:
    for address in ("198.51.100.10", "198.51.100.10", "203.0.113.30"):
        assert say(chat_app.new_client(address), "hello").status_code == 200
    rasa: ButtonRasa = chat_app.client.app.state.services.rasa  # type: ignore[attr-defined]
    first, again, other = rasa.clients
    assert first == again != other  # one client, whatever its conversation
    assert first and re.fullmatch(r"[0-9a-f]{32}", first) and "198.51" not in first


# --- SMS --------------------------------------------------------------------------------------


def test_a_flooding_sms_sender_is_answered_with_the_urgent_routes_and_no_turn(
    tmp_path: Path,
) -> None:
    hook = Webhook(make_settings(tmp_path, rate_limit_sms_sender="5/minute"))
    try:
        answers = [run_sync(hook.send(f"message {n}")) for n in range(8)]
        assert [a.status_code for a in answers] == [200] * 8  # Twilio sends no error's TwiML
        assert len(hook.rasa.turns) == 5
        # The sender, hashed like a web client's address, goes to Rasa to count its flags.
        [client] = set(hook.rasa.clients)
        assert client and re.fullmatch(r"[0-9a-f]{32}", client)
        for answer in answers[5:]:
            text = " ".join(parse_twiml(answer.text))
            assert all(route in text for route in URGENT), text
    finally:
        hook.close()


# --- sign-in ----------------------------------------------------------------------------------


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(tmp_path, rate_limit_sign_in_client="10/minute") as app:
        app.add_user("manager")
        yield app


def login(client: TestClient, password: str, otp: str = "000000") -> Any:
    return client.post(
        "/irt/api/login", json={"username": "manager", "password": password, "otp": otp}
    )


def test_fifty_wrong_passwords_from_one_client_do_not_lock_the_manager_out_elsewhere(
    irt: IrtApp,
) -> None:
    attacker = irt.new_client("198.51.100.66")
    statuses = [login(attacker, f"guess number {n}").status_code for n in range(50)]
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}  # the client's throttle: no password checked
    assert login(attacker, PASSWORD, irt.otp("manager")).status_code == 429

    manager = irt.new_client("203.0.113.10")
    signed_in = login(manager, PASSWORD, irt.otp("manager"))
    assert signed_in.status_code == 200, signed_in.text
    assert manager.get("/irt/api/contacts").status_code == 200

    failures = [e for e in irt.audit() if e.action == AuditAction.SIGN_IN_FAILED]
    assert len(failures) == 10 and failures[-1].detail["locked"] is True


def test_the_lock_is_kept_per_account_and_client(irt: IrtApp) -> None:
    # The client throttle out of the way: the lock alone, after ten wrong passwords.
    irt.client.app.state.services.limits = type(irt.client.app.state.services.limits)(  # type: ignore[attr-defined]
        **{
            **irt.client.app.state.services.limits.__dict__,  # type: ignore[attr-defined]
            "sign_in_client": parse_limit("1000/minute"),
        }
    )
    attacker = irt.new_client("198.51.100.67")
    for n in range(10):
        assert login(attacker, f"guess {n}").status_code == 401
    # Locked from there, the right password and code included...
    assert login(attacker, PASSWORD, irt.otp("manager")).status_code == 401
    # ...and not from anywhere else.
    assert login(irt.new_client("203.0.113.11"), PASSWORD, irt.otp("manager")).status_code == 200


def test_a_wrong_second_factor_is_refused_like_a_wrong_password(irt: IrtApp) -> None:
    client = irt.new_client()
    refused = login(client, PASSWORD, "123456")
    assert refused.status_code == 401 and refused.json()["detail"].startswith("The username")
    assert login(client, PASSWORD, "").status_code == 401
    code = irt.otp("manager")
    assert login(client, PASSWORD, code).status_code == 200
    assert login(irt.new_client(), PASSWORD, code).status_code == 401  # a code is taken once
    reasons = [e.detail["reason"] for e in irt.audit() if e.action == "sign_in_failed"]
    assert reasons == ["wrong_code", "wrong_code", "wrong_code"]


def test_sign_ins_beyond_the_argon2_cap_get_503_at_once(irt: IrtApp) -> None:
    services = irt.client.app.state.services  # type: ignore[attr-defined]
    held = 0
    while services.sign_in_slots.acquire(blocking=False):  # every slot busy elsewhere
        held += 1
    try:
        started = time.monotonic()
        response = login(irt.new_client(), PASSWORD, irt.otp("manager"))
        assert response.status_code == 503 and "busy" in response.json()["detail"]
        assert response.headers["retry-after"]
        assert time.monotonic() - started < 1  # no queue, no Argon2
    finally:
        for _ in range(held):
            services.sign_in_slots.release()
    assert held == irt.settings.sign_in_concurrency
    assert login(irt.new_client(), PASSWORD, irt.otp("manager")).status_code == 200


def test_the_limits_count_in_redis_across_api_instances() -> None:
    from tests.support.services import require_redis

    url = require_redis()
    key = "test-" + str(time.time_ns())  # its own pseudonyms: no clash with other runs
    first, second = RateLimiter(key, url), RateLimiter(key, url)
    limit = parse_limit("3/minute")
    verdicts = [limiter.hit(limit, "chat-client", "192.0.2.1") for limiter in (first, second) * 2]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    # Only the keyed hash is stored, never the address.
    assert "192.0.2.1" not in first.pseudonym("chat-client", "192.0.2.1")


def test_rate_limits_off_turns_them_off(tmp_path: Path) -> None:
    with irt_app(tmp_path, rate_limits="off", rate_limit_chat_conversation="1/minute") as app:
        app.client.app.state.services.rasa = ButtonRasa()  # type: ignore[attr-defined]
        client = app.new_client()
        assert [say(client, "hello").status_code for _ in range(5)] == [200] * 5
