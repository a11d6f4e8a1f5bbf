"""A professional at the web chat, as the tests see them: one cookie jar per conversation,
and, as the page does, a new random message id with each message (`message_id=` resends one)."""

from __future__ import annotations

import secrets
from typing import Any

import httpx


def new_message_id() -> str:
    return secrets.token_urlsafe(16)


class WebChat:
    def __init__(
        self, api_url: str, message_ids: bool = True, local_address: str | None = None
    ) -> None:
        # `local_address` (127.0.0.2, ...): a client of its own address, as the limits see it.
        transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
        self.client = httpx.Client(base_url=api_url, timeout=60, transport=transport)
        self.last_status = 0
        self.message_ids = message_ids  # False: the bare contract, `{"text": "..."}` alone
        self.last_message_id: str | None = None

    def say(self, text: str, message_id: str | None = None) -> list[dict[str, Any]]:
        body: dict[str, str] = {"text": text}
        if message_id is None and self.message_ids:
            message_id = new_message_id()
        if message_id is not None:
            body["message_id"] = message_id
        self.last_message_id = message_id
        response = self.client.post("/chat/api/messages", json=body)
        self.last_status = response.status_code
        return response.json()["messages"]

    def say_text(self, text: str) -> str:
        """The bot's reply as one string, for assertions on wording."""
        return "\n".join(m["text"] for m in self.say(text))

    def close(self) -> None:
        self.client.close()
