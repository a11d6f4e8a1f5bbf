"""The project's input channel: the REST channel, behind a bearer token, logging no text.

Rasa's own REST webhook needs no token (the `--auth-token` covers only the HTTP API), and on
failure it logs the message text. The API is the only client of this channel; its token
(PCL_RASA_TOKEN) is not the HTTP API's (PCL_RASA_API_TOKEN), so the API cannot replace the model.

A button's payload ("/intent") is taken as one only when the conversation's last reply offered
it (rasa_ext.offered); anything else that starts with "/" is read as plain text.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_ext import internals
from rasa_ext.ended_turns import EndedTurns
from rasa_ext.forget import forget_if_ended, forget_recorded_transcript, sweep_forever
from rasa_ext.once import handle_once

logger = logging.getLogger(__name__)

# Rasa imports this module at start-up (credentials.yml): the project's patches of Rasa's
# internals are applied here, from their one register (rasa_ext.internals).
internals.apply_patches()

MAX_TEXT_CHARS = 5000
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,128}")
# A conversation idle this long is forgotten (the domain's session expiry is 60 minutes too).
IDLE_SECONDS = float(os.environ.get("PCL_CONVERSATION_IDLE_SECONDS", "3600"))
SWEEP_SECONDS = float(os.environ.get("PCL_CONVERSATION_SWEEP_SECONDS", "60"))


class ProjectInput(InputChannel):
    """`POST /webhooks/pcl/webhook` with `Authorization: Bearer $PCL_RASA_TOKEN` and JSON
    `{"sender": id, "message": text, "metadata": {"channel": "web" | "sms"}}`, and optionally
    `"message_id"`: a message id the conversation already holds is not taken again
    (rasa_ext.once)."""

    @classmethod
    def name(cls) -> Text:
        return "pcl"

    def __init__(self, token: Optional[Text] = None) -> None:
        self.token = token or os.environ.get("PCL_RASA_TOKEN", "")
        if not self.token:
            raise ValueError("PCL_RASA_TOKEN must be set for the pcl input channel")
        self.ended = EndedTurns()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "InputChannel":
        return cls((credentials or {}).get("token"))

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        given = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("pcl_webhook", __name__)

        @webhook.listener("after_server_start")
        async def start_sweeping(app: Any, _: Any) -> None:
            internals.apply_to_agent(app.ctx.agent)
            app.ctx.pcl_sweeper = asyncio.create_task(
                sweep_forever(lambda: app.ctx.agent.tracker_store, IDLE_SECONDS, SWEEP_SECONDS)
            )

        @webhook.listener("before_server_stop")
        async def stop_sweeping(app: Any, _: Any) -> None:
            app.ctx.pcl_sweeper.cancel()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            # The API's health check: it holds this channel's token, not the HTTP API's
            # (--auth-token), which can replace the model.
            if not self._authorised(request):
                return response.json({"error": "unauthorised"}, status=401)
            agent = request.app.ctx.agent
            return response.json({"model_ready": bool(agent and agent.is_ready())})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "unauthorised"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            sender = body.get("sender")
            text = body.get("message")
            if not isinstance(sender, str) or not sender or not isinstance(text, str):
                return response.json({"error": "sender and message are required"}, status=400)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            message_id = body.get("message_id")
            if message_id is not None and not (
                isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id)
            ):
                return response.json({"error": "message_id is not valid"}, status=400)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text[:MAX_TEXT_CHARS],
                collector,
                sender,
                input_channel=self.name(),
                message_id=message_id,
                metadata=metadata,
            )
            saved = None  # the tracker the turn saved, when it did
            try:
                # Without a message id, Rasa gives the message a new one: taken once anyway.
                saved = await handle_once(request.app.ctx.agent, message, self.ended)
            except CancelledError:
                logger.error("pcl.message.timeout")
            except Exception as error:  # the text is never logged: only the error's type
                logger.error("pcl.message.failure %s", type(error).__name__)
                return response.json({"error": "processing failed"}, status=500)
            agent = request.app.ctx.agent
            ended = await forget_if_ended(agent.tracker_store, sender, saved)
            if not ended:
                try:
                    await forget_recorded_transcript(agent, sender, saved)
                except Exception as error:  # the reply still goes; the idle sweep forgets later
                    logger.error("pcl.transcript.forget_failed %s", type(error).__name__)
            if ended and message_id is not None:
                self.ended.remember(message_id, text, collector.messages)
            return response.json(collector.messages)

        return webhook
