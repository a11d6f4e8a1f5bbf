"""A professional at the web chat, as the tests see them: one cookie jar per conversation."""

from __future__ import annotations

from typing import Any

import httpx


class WebChat:
    def __init__(self, api_url: str) -> None:
        self.client = httpx.Client(base_url=api_url, timeout=60)
        self.last_status = 0

    def say(self, text: str) -> list[dict[str, Any]]:
        response = self.client.post("/chat/api/messages", json={"text": text})
        self.last_status = response.status_code
        return response.json()["messages"]

    def say_text(self, text: str) -> str:
        """The bot's reply as one string, for assertions on wording."""
        return "\n".join(m["text"] for m in self.say(text))

    def close(self) -> None:
        self.client.close()
