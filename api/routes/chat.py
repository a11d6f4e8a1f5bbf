"""The web chat's message endpoint: `POST /chat/api/messages` `{"text": "..."}`.

The server picks the conversation id and keeps it in an HttpOnly cookie (`__Host-` prefixed in
production), signed with the HMAC key: an id the client invents is not taken, it starts a new
conversation. Rasa sees only a keyed hash of it.

Each client (its address, api.client_address) and each conversation has a rate limit; over it,
the answer is 429 in the same JSON shape, with the urgent routes (api.rate_limits).

The page also sends a random `message_id` per message, and the same one when it resends a
message whose reply it did not get (its "Try again"): a message id the conversation has had
before gets the reply it had then and no second turn (bot.services.answered_turns, as SMS
does with Twilio's MessageSid). Without one, every message is a new turn.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import ServicesDep
from api.rasa_client import RasaUnavailable
from api.rate_limits import slow_down
from api.services import AppServices
from bot.domain.limits import WEB_CHAT_MAX_CHARS
from bot.domain.messages import assistant_unavailable
from bot.domain.privacy import echoes_caller, keyed_hash, log_id, turn_key
from bot.domain.validation import clean_text, for_the_assistant
from bot.services.answered_turns import Answered

router = APIRouter(prefix="/chat/api", tags=["chat"])

COOKIE = "pcl_conversation"
# In production the cookie is Secure, so it can carry the prefix that binds it to this host.
SECURE_COOKIE = "__Host-pcl_conversation"
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
        429: {"model": ChatReply, "description": "Too many messages: wait, the urgent routes"},
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
    secure = settings.env == "production"
    conversation = _conversation_of(request.cookies.get(cookie_name(secure)), key)
    request.state.log_id = log_id(key, conversation)
    limited = services.limits.chat(request, conversation)
    if not limited.allowed:
        result = reply(429, slow_down(services.facts, services.clock.now()))
        result.headers["Retry-After"] = str(limited.retry_after_seconds)
        _set_cookie(result, conversation, secure)
        return result

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
    client = services.limits.caller_key(request)
    if message.message_id is None:
        messages = await _turn(services, sender, text, None, client)
    else:
        message_key = turn_key(key, sender, message.message_id)
        turn = await services.turns.once(
            message_key,
            "web",
            lambda: _first_answer(services, sender, text, message_key, client),
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
    services: AppServices, sender: str, text: str, message_key: str | None, client: str
) -> list[BotMessage]:
    """Rasa's reply to one message; empty when Rasa, or a part behind it, failed. `client`:
    the caller's keyed hash (a flood of flags from one client is marked as one)."""
    try:
        raw_messages = await services.rasa.send(
            sender, text, channel="web", message_id=message_key, client=client
        )
    except RasaUnavailable:
        raw_messages = []
    messages = [_bot_message(m) for m in raw_messages if isinstance(m, dict)]
    return messages if any(m.text or m.buttons for m in messages) else []


async def _first_answer(
    services: AppServices, sender: str, text: str, message_key: str, client: str
) -> Answered[list[BotMessage]]:
    """The turn for a message id's first delivery, and the reply kept for its resends: a
    failure is not kept (a resend is a new try), and no part that repeats the caller's words."""
    messages = await _turn(services, sender, text, message_key, client)
    if not messages:
        return Answered(messages, kept=None)
    kept = [
        m.model_copy(update={"text": NOT_KEPT}) if echoes_caller(m.text, text) else m
        for m in messages
    ]
    return Answered(messages, kept=ChatReply(messages=kept).model_dump_json())


def cookie_name(secure: bool) -> str:
    return SECURE_COOKIE if secure else COOKIE


def _signature(key: str, conversation_id: str) -> str:
    return keyed_hash(key, "conversation-cookie:" + conversation_id)[:22]


def _conversation_of(cookie: str | None, key: str) -> str:
    """The cookie's conversation when the server made it (its signature matches), else a new
    one: a caller cannot choose, or guess their way into, a conversation."""
    if cookie and len(cookie) <= 64 and cookie.count(".") == 1:
        conversation_id, signature = cookie.split(".")
        if secrets.compare_digest(signature, _signature(key, conversation_id)):
            return cookie
    conversation_id = secrets.token_urlsafe(24)
    return f"{conversation_id}.{_signature(key, conversation_id)}"


def _set_cookie(response: Response, conversation: str, secure: bool) -> None:
    # __Host- needs Secure and the path /; the plain name keeps the narrower path.
    response.set_cookie(
        cookie_name(secure),
        conversation,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/" if secure else "/chat",
    )
