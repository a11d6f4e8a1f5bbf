"""The web chat's message endpoint: `POST /chat/api/messages` `{"text": "..."}`.

The server picks the conversation id and keeps it in an HttpOnly cookie; Rasa sees only a
keyed hash of it.

The page also sends a random `message_id` per message, and the same one when it resends a
message whose reply it did not get (its "Try again"): a message id the conversation has had
before gets the reply it had then and no second turn (api.answer_once, as SMS does with
Twilio's MessageSid). Without one, every message is a new turn.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.answer_once import Answered
from api.deps import ServicesDep
from api.rasa_client import RasaUnavailable
from api.services import AppServices
from bot.domain.limits import WEB_CHAT_MAX_CHARS
from bot.domain.messages import assistant_unavailable
from bot.domain.privacy import echoes_caller, keyed_hash, log_id, turn_key
from bot.domain.validation import clean_text, for_the_assistant

router = APIRouter(prefix="/chat/api", tags=["chat"])

COOKIE = "pcl_conversation"
MAX_TEXT_CHARS = WEB_CHAT_MAX_CHARS
# What a resent message gets instead of a part of the first reply that repeated its words:
# nothing the caller typed is kept, not even for a resend.
NOT_KEPT = "(Part of my answer repeated your message, so it isn't shown again.)"


class Button(BaseModel):
    title: str
    payload: str


class BotMessage(BaseModel):
    text: str = ""
    buttons: list[Button] = []


class ChatReply(BaseModel):
    messages: list[BotMessage]


class ChatMessage(BaseModel):
    text: str
    # The page's own id for this message, the same when it is resent; optional.
    message_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{8,64}$")


def reply(status: int, *texts: str) -> JSONResponse:
    return JSONResponse({"messages": [{"text": t, "buttons": []} for t in texts]}, status)


def _bot_message(raw: dict[str, Any]) -> BotMessage:
    buttons = [
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in raw.get("buttons") or []
        if isinstance(b, dict)
    ]
    return BotMessage(text=str(raw.get("text") or ""), buttons=buttons)


@router.post(
    "/messages",
    response_model=ChatReply,
    responses={
        400: {"model": ChatReply, "description": "The body could not be read (not UTF-8, say)"},
        422: {"model": ChatReply, "description": "No text, too long, or not a message"},
        503: {"model": ChatReply, "description": "The assistant can't answer: the urgent routes"},
    },
)
async def post_message(
    message: Annotated[ChatMessage, Body()],
    request: Request,
    response: Response,
    services: ServicesDep,
) -> Any:
    settings = services.settings
    key = settings.hmac_key.get_secret_value()
    conversation = request.cookies.get(COOKIE)
    if not conversation or len(conversation) > 64:
        conversation = secrets.token_urlsafe(24)
    request.state.log_id = log_id(key, conversation)

    text = for_the_assistant(
        clean_text(message.text, max_chars=MAX_TEXT_CHARS + 1), services.intents
    )
    if not text:
        return reply(422, "Please type a message.")
    if len(text) > MAX_TEXT_CHARS:
        return reply(
            422,
            f"That message is longer than {MAX_TEXT_CHARS} characters. "
            "Please send it in shorter parts.",
        )
    sender = "web-" + keyed_hash(key, "web:" + conversation)[:32]
    secure = settings.env == "production"
    if message.message_id is None:
        messages = await _turn(services, sender, text, None)
    else:
        message_key = turn_key(key, sender, message.message_id)
        turn = await services.turns.once(
            message_key,
            "web",
            lambda: _first_answer(services, sender, text, message_key),
            patience=settings.rasa_timeout_seconds + 2,
            log_id=request.state.log_id,
        )
        if turn.repeated is not None:
            repeated = Response(turn.repeated, media_type="application/json")
            _set_cookie(repeated, conversation, secure)
            return repeated
        messages = turn.answered or []
    if not messages:
        # Never silence: no reply means a part of the stack failed, so give the urgent routes.
        result = reply(503, assistant_unavailable(services.facts, services.clock.now()))
        _set_cookie(result, conversation, secure)
        return result
    _set_cookie(response, conversation, secure)
    return ChatReply(messages=messages)


async def _turn(
    services: AppServices, sender: str, text: str, message_key: str | None
) -> list[BotMessage]:
    """Rasa's reply to one message; empty when Rasa, or a part behind it, failed."""
    try:
        raw_messages = await services.rasa.send(sender, text, channel="web", message_id=message_key)
    except RasaUnavailable:
        raw_messages = []
    messages = [_bot_message(m) for m in raw_messages if isinstance(m, dict)]
    return messages if any(m.text or m.buttons for m in messages) else []


async def _first_answer(
    services: AppServices, sender: str, text: str, message_key: str
) -> Answered[list[BotMessage]]:
    """The turn for a message id's first delivery, and the reply kept for its resends: a
    failure is not kept (a resend is a new try), and no part that repeats the caller's words."""
    messages = await _turn(services, sender, text, message_key)
    if not messages:
        return Answered(messages, kept=None)
    kept = [
        m.model_copy(update={"text": NOT_KEPT}) if echoes_caller(m.text, text) else m
        for m in messages
    ]
    return Answered(messages, kept=ChatReply(messages=kept).model_dump_json())


def _set_cookie(response: Response, conversation: str, secure: bool) -> None:
    response.set_cookie(
        COOKIE, conversation, httponly=True, samesite="strict", secure=secure, path="/chat"
    )
