"""One inbound SMS (already signature-checked) to its TwiML reply: keywords, numbered choices,
a turn of the assistant, and each MessageSid answered once however often Twilio delivers it."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from twilio.twiml.messaging_response import MessagingResponse

from api.rasa_client import RasaUnavailable
from api.services import AppServices
from bot.domain.clock import SystemClock
from bot.domain.messages import assistant_unavailable
from bot.domain.privacy import echoes_caller, turn_key
from bot.domain.sms import replies
from bot.domain.sms.keywords import Keyword, keyword_of
from bot.domain.sms.render import (
    BotMessage,
    Choice,
    read_choice,
    split_for_sms,
    with_numbered_choices,
)
from bot.domain.validation import clean_text, for_the_assistant
from bot.services.answered_turns import Answered
from bot.services.sms_choices import OfferedChoices, keep_choices, offered_choices

logger = logging.getLogger("api.sms")

# Twilio's retries and the choices' expiry run on real time, even when PCL_NOW fixes the
# service's clock for a demonstration.
_REAL_TIME = SystemClock()


@dataclass(frozen=True)
class InboundSms:
    message_sid: str
    sender_id: str  # bot.domain.privacy.sms_sender_id: never the number
    body: str
    opt_out_type: str | None = None
    log_id: str = "-"


@dataclass(frozen=True)
class _Reply:
    texts: list[str]
    # The payloads behind the numbers just offered; None leaves the earlier ones in place.
    choices: list[str] | None = None
    echo_source: str = ""  # what the caller wrote, to keep it out of the stored reply


def twiml(texts: list[str]) -> str:
    response = MessagingResponse()
    for part in split_for_sms(texts):
        response.message(part)
    return str(response)


async def answer(services: AppServices, sms: InboundSms) -> str:
    """The TwiML for one delivery. A MessageSid answered before gets the same TwiML and no
    second turn; a concurrent second delivery waits for the first one's answer
    (bot.services.answered_turns, shared with the web chat)."""
    received = _REAL_TIME.now()
    key = turn_key(services.settings.hmac_key.get_secret_value(), sms.sender_id, sms.message_sid)
    offered = OfferedChoices(sms.sender_id, received)  # read with the claim

    async def first_answer() -> Answered[str]:
        reply = await _reply(services, sms, received, key, offered)
        result = twiml(reply.texts)
        kept = result
        said = reply.echo_source
        if said and any(echoes_caller(text, said) for text in reply.texts):
            kept = twiml([replies.retry_without_reply()])
        return Answered(result, kept, keep_choices(sms.sender_id, reply.choices, received))

    turn = await services.turns.once(
        key,
        "sms",
        first_answer,
        patience=services.settings.sms_rasa_timeout_seconds + 2,
        log_id=sms.log_id,
        before=offered,
    )
    if turn.repeated is not None:
        return turn.repeated
    if turn.answered is None:
        # The first delivery did not answer in time: the urgent routes rather than silence.
        return twiml([assistant_unavailable(services.facts, services.clock.now())])
    return turn.answered


async def _reply(
    services: AppServices,
    sms: InboundSms,
    received: datetime,
    message_id: str,
    offered_with_claim: OfferedChoices,
) -> _Reply:
    facts, now = services.facts, services.clock.now()
    text = for_the_assistant(
        clean_text(sms.body, max_chars=replies.MAX_INBOUND_CHARS + 1), services.intents
    )
    without_turn = _reply_without_turn(services, sms, text)
    if without_turn is not None:
        return without_turn
    offered = offered_with_claim.payloads
    if offered is None:  # not read with the claim: the store is down, so this read says so
        offered = await asyncio.to_thread(
            offered_choices, services.turns_unit_of_work(), sms.sender_id, received
        )
    reading = read_choice(text, offered)
    if reading.out_of_range:
        return _Reply([replies.choose_a_number(len(offered))])
    messages = await _turn(services, sms, reading.payload or text, message_id)
    if not messages:
        # Never silence: no reply means part of the stack failed, so give the urgent routes.
        return _Reply([assistant_unavailable(facts, now)])
    texts, payloads = with_numbered_choices(messages)
    return _Reply(texts, payloads, echo_source=text)


def _reply_without_turn(services: AppServices, sms: InboundSms, text: str) -> _Reply | None:
    """Keywords, and messages the assistant could not use; None for an ordinary message."""
    keyword = keyword_of(sms.body, sms.opt_out_type)
    if keyword in (Keyword.OPT_OUT, Keyword.OPT_IN):
        # Twilio answers these itself and blocks anything sent after an opt-out.
        logger.info("sms keyword %s conversation=%s", keyword.value, sms.log_id)
        return _Reply([])
    if keyword is Keyword.HELP:
        return _Reply([replies.help_reply(services.facts, services.clock.now())])
    if not text:
        return _Reply([replies.empty_message()])
    if len(text) > replies.MAX_INBOUND_CHARS:
        return _Reply([replies.too_long()])
    return None


async def _turn(
    services: AppServices, sms: InboundSms, text: str, message_id: str
) -> list[BotMessage]:
    timeout = services.settings.sms_rasa_timeout_seconds
    started = time.perf_counter()
    try:
        raw = await asyncio.wait_for(
            services.rasa.send(
                sms.sender_id,
                text,
                channel="sms",
                message_id=message_id,
                client=services.limits.sender_key(sms.sender_id),
            ),
            timeout=timeout,
        )
    except (TimeoutError, RasaUnavailable) as error:
        logger.warning(
            "sms assistant unavailable (%s) after %.1fs conversation=%s",
            type(error).__name__,
            time.perf_counter() - started,
            sms.log_id,
        )
        return []
    messages = [_bot_message(m) for m in raw if isinstance(m, dict)]
    return [m for m in messages if m.text.strip() or m.choices]


def _bot_message(raw: dict[str, Any]) -> BotMessage:
    choices = tuple(
        Choice(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in raw.get("buttons") or []
        if isinstance(b, dict) and b.get("payload")
    )
    return BotMessage(text=str(raw.get("text") or ""), choices=choices)
