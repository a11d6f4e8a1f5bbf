"""Twilio's inbound SMS webhook: `POST /sms/twilio`, form-encoded, answered with TwiML; and
Twilio's status callback on the IRT alerts: `POST /sms/alert-status` (delivered, undelivered,
failed, by MessageSid).

Off (404) unless Twilio is configured. A request without a valid `X-Twilio-Signature` gets 403
and nothing else happens: no turn, no row, no log of its content. A sender over its rate limit
(PCL_RATE_LIMIT_SMS_SENDER) is answered with the urgent routes and no turn.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator

from api import sms_turns
from api.deps import ServicesDep
from api.problems import Problem
from api.rate_limits import slow_down
from bot.adapters.settings import Settings
from bot.domain.irt_alert import STATUS_CALLBACK_PATH
from bot.domain.privacy import log_id, sms_sender_id
from bot.services.alert_outbox import record_delivery_report

router = APIRouter(prefix="/sms", tags=["sms"])

# Twilio's webhook bodies are a few kilobytes; refuse anything far larger before parsing it.
MAX_FORM_BYTES = 64 * 1024
# What Twilio posts; anything else (a multipart upload, say) is refused before it is parsed.
FORM_TYPE = "application/x-www-form-urlencoded"
_MESSAGE_SID = re.compile(r"[A-Za-z0-9]{2,64}")


def _signed_url(settings: Settings, request: Request) -> str:
    """The URL as Twilio called it: the public base URL, not the one the API sees behind a
    proxy, with the path and query string."""
    url = settings.public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


def _signed_by_twilio(settings: Settings, request: Request, form: FormData) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not all(isinstance(value, str) for _, value in form.multi_items()):
        return False
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    return validator.validate(_signed_url(settings, request), form, signature)


async def signed_twilio_form(request: Request, services: ServicesDep) -> FormData:
    """The webhook's authentication: the form, only when Twilio signed it (404 while SMS is
    off, 413 or 415 for a body that cannot be Twilio's, 403 for a missing or wrong signature,
    before anything else is done)."""
    settings = services.settings
    if not settings.sms_enabled:
        raise HTTPException(404)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise HTTPException(413)
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        raise HTTPException(415)
    form = await request.form()
    if not _signed_by_twilio(settings, request, form):
        raise HTTPException(403)
    return form


SignedTwilioForm = Annotated[FormData, Depends(signed_twilio_form)]

# The route reads the form itself (its signature covers every field), so the schema is declared
# here: the fields the webhook uses of the many Twilio sends, the signature and every answer.
_FIELD = {"type": "string"}
_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "X-Twilio-Signature",
            "in": "header",
            "required": True,
            "description": "Twilio's signature of the URL and every field, with the auth token",
            "schema": _FIELD,
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "MessageSid": {**_FIELD, "pattern": "^[A-Za-z0-9]{2,64}$"},
                        "From": _FIELD,
                        "To": _FIELD,
                        "Body": _FIELD,
                        "OptOutType": _FIELD,
                        "AccountSid": _FIELD,
                    },
                    "required": ["MessageSid", "From", "Body"],
                    "additionalProperties": _FIELD,
                }
            }
        },
    },
}
_REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "No usable MessageSid or From"},
    403: {"model": Problem, "description": "X-Twilio-Signature missing or wrong: nothing done"},
    404: {"model": Problem, "description": "SMS is not configured"},
    413: {"model": Problem, "description": "The form is far larger than Twilio's"},
    415: {"model": Problem, "description": "Not form-encoded, as Twilio's webhooks are"},
}


@router.post(
    "/twilio",
    response_class=Response,
    responses={
        200: {
            "description": "TwiML: the reply's messages (none for STOP and START)",
            "content": {"application/xml": {"schema": {"type": "string"}}},
        },
        **_REFUSED,
    },
    openapi_extra=_OPENAPI,
)
async def inbound_sms(form: SignedTwilioForm, request: Request, services: ServicesDep) -> Response:
    message_sid = str(form.get("MessageSid") or form.get("SmsMessageSid") or "")
    number = str(form.get("From") or "")
    if not _MESSAGE_SID.fullmatch(message_sid) or not number.strip():
        raise HTTPException(400)
    key = services.settings.hmac_key.get_secret_value()
    sender = sms_sender_id(key, number)
    request.state.log_id = log_id(key, sender)
    if not services.limits.sms(sender).allowed:
        # 200, not 429: Twilio sends no reply for an error status, and a limited caller still
        # reads the urgent routes.
        urgent = slow_down(services.facts, services.clock.now())
        return Response(content=sms_turns.twiml([urgent]), media_type="application/xml")
    opt_out_type = form.get("OptOutType")
    reply = await sms_turns.answer(
        services,
        sms_turns.InboundSms(
            message_sid=message_sid,
            sender_id=sender,
            body=str(form.get("Body") or ""),
            opt_out_type=opt_out_type if isinstance(opt_out_type, str) else None,
            log_id=request.state.log_id,
        ),
    )
    return Response(content=reply, media_type="application/xml")


# Twilio's status callback on an IRT alert (bot.services.alert_outbox): the alert's SID and
# its status; signed like the inbound webhook.
_ERROR_CODE = re.compile(r"[0-9]{1,10}")
_STATUS_OPENAPI: dict[str, Any] = {
    "parameters": _OPENAPI["parameters"],
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "MessageSid": {**_FIELD, "pattern": "^[A-Za-z0-9]{2,64}$"},
                        "MessageStatus": _FIELD,
                        "ErrorCode": _FIELD,
                        "AccountSid": _FIELD,
                    },
                    "required": ["MessageSid", "MessageStatus"],
                    "additionalProperties": _FIELD,
                }
            }
        },
    },
}


def _now() -> datetime:
    return datetime.now(UTC)


@router.post(
    STATUS_CALLBACK_PATH.removeprefix("/sms"),
    status_code=204,
    response_class=Response,
    responses={
        204: {"description": "Recorded (or not an alert's SID, or a status that changes nothing)"},
        **{**_REFUSED, 400: {"model": Problem, "description": "No usable MessageSid or status"}},
    },
    openapi_extra=_STATUS_OPENAPI,
)
def alert_status(form: SignedTwilioForm, services: ServicesDep) -> Response:
    """Twilio's delivery report on an IRT alert: delivered, or undelivered / failed (the alert
    is sent again). Records the error code only, never a text."""
    sid = str(form.get("MessageSid") or "")
    status = str(form.get("MessageStatus") or "").strip().lower()
    if not _MESSAGE_SID.fullmatch(sid) or not status:
        raise HTTPException(400)
    error = str(form.get("ErrorCode") or "")
    record_delivery_report(
        services.unit_of_work,
        _now,
        sid,
        status,
        error if _ERROR_CODE.fullmatch(error) else None,
    )
    return Response(status_code=204)
