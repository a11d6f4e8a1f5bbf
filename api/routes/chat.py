"""The web chat's message endpoint: `POST /chat/api/messages` `{"text": "..."}`.

The server picks the conversation id and keeps it in an HttpOnly cookie; Rasa sees only a
keyed hash of it.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import ServicesDep
from api.rasa_client import RasaUnavailable
from bot.messages import assistant_unavailable
from bot.privacy import keyed_hash, log_id
from bot.validation import clean_text

router = APIRouter(prefix="/chat/api", tags=["chat"])

COOKIE = "pcl_conversation"
MAX_TEXT_CHARS = 2000


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
    responses={422: {"model": ChatReply}, 503: {"model": ChatReply}},
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

    text = clean_text(message.text, max_chars=MAX_TEXT_CHARS + 1)
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
    try:
        raw_messages = await services.rasa.send(sender, text, channel="web")
    except RasaUnavailable:
        raw_messages = []
    messages = [_bot_message(m) for m in raw_messages if isinstance(m, dict)]
    if not any(m.text or m.buttons for m in messages):
        # Never silence: no reply means a part of the stack failed, so give the urgent routes.
        result = reply(503, assistant_unavailable(services.facts, services.clock.now()))
        _set_cookie(result, conversation, secure)
        return result
    _set_cookie(response, conversation, secure)
    return ChatReply(messages=messages)


def _set_cookie(response: Response, conversation: str, secure: bool) -> None:
    response.set_cookie(
        COOKIE, conversation, httponly=True, samesite="strict", secure=secure, path="/chat"
    )
