"""The API's client for the Rasa server's project channel (token-protected, loopback only)."""

from __future__ import annotations

from typing import Any

import httpx

from bot.adapters.settings import Settings


class RasaUnavailable(Exception):
    """Rasa did not answer in time, or answered with an error."""


class RasaClient:
    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self._base = settings.rasa_url.rstrip("/")
        self._token = settings.rasa_token.get_secret_value()
        self._headers = {"Authorization": f"Bearer {self._token}"}
        self._timeout = settings.rasa_timeout_seconds
        self._http = http or httpx.AsyncClient()

    async def send(
        self,
        sender: str,
        text: str,
        channel: str,
        message_id: str | None = None,
        client: str | None = None,
    ) -> list[dict[str, Any]]:
        """One user turn; returns Rasa's bot messages (text, buttons). With a `message_id`
        (bot.domain.privacy.turn_key) the conversation takes the message at most once: sent again,
        it gets the replies Rasa gave the first time (rasa_ext.once). `client`: who sent it, as
        a keyed hash (api.rate_limits.Limits.client_key), for the action that flags a contact
        to count the client's flags (a possible flood); never an address."""
        metadata = {"channel": channel} | ({"client": client} if client else {})
        body: dict[str, Any] = {"sender": sender, "message": text, "metadata": metadata}
        if message_id is not None:
            body["message_id"] = message_id
        try:
            response = await self._http.post(
                f"{self._base}/webhooks/pcl/webhook",
                json=body,
                headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.HTTPError as error:
            raise RasaUnavailable(type(error).__name__) from error
        if response.status_code != 200:
            raise RasaUnavailable(f"status {response.status_code}")
        messages = response.json()
        if not isinstance(messages, list):
            raise RasaUnavailable("unexpected reply")
        return messages

    async def is_ready(self) -> bool:
        """Rasa answers, accepts the channel's token, and has a model loaded (the channel's
        own check: the API holds no token of Rasa's HTTP API)."""
        try:
            response = await self._http.get(
                f"{self._base}/webhooks/pcl/ready", headers=self._headers, timeout=2.0
            )
            return response.status_code == 200 and response.json().get("model_ready") is True
        except (httpx.HTTPError, ValueError):
            return False

    async def aclose(self) -> None:
        await self._http.aclose()
