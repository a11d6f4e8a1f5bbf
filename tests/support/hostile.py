"""Hostile input for both channels (issue 8): messages a careless or malicious sender could
deliver, each with what the web chat must answer. Through SMS every one of them that Twilio
could deliver gets a TwiML reply; only what is far larger than any Twilio form is refused.

`text` is what the professional types. Bytes that are not text at all (invalid UTF-8, a
lone surrogate escaped in JSON) cannot be typed, so they are whole request bodies: RAW_JSON for
the web chat and RAW_FORMS for Twilio's webhook.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from tests.support.sms import new_message_sid

# The web chat's answers that are not a turn (api/routes/chat.py, api/main.py).
WEB_EMPTY = "Please type a message."
WEB_TOO_LONG = "Please send it in shorter parts."
WEB_UNREADABLE = "Sorry, I couldn't read that message. Please type it again."
# SMS's (bot/domain/sms/replies.py).
SMS_EMPTY = "that message was empty"
SMS_TOO_LONG = "too long for me to read"
# The start of bot.domain.messages.assistant_unavailable: a hostile message must never knock the
# assistant over into it.
UNAVAILABLE = "the assistant can't answer right now"


@dataclass(frozen=True)
class Hostile:
    id: str
    text: str
    web_status: int = 200  # 422: refused without a turn, with `web_reply`
    web_reply: str | None = None
    sms_reply: str | None = None  # a phrase the TwiML reply must hold when there is no turn
    sms_status: int = 200

    @property
    def distinctive(self) -> bool:
        """Long and varied enough that finding it in a log or a file cannot be chance."""
        return len(self.text.strip()) >= 12 and len(set(self.text)) >= 6


LONG_WORD = "Supercalifragilistic" * 75  # 1,500 characters, no space: under both limits
HUNDRED_KB = ("Ordinary words about a child in my class. " * 2500)[:100_000]

CORPUS: tuple[Hostile, ...] = (
    Hostile("empty", "", 422, WEB_EMPTY, SMS_EMPTY),
    Hostile("whitespace", " \t\n\r\n  \u00a0\u2003 ", 422, WEB_EMPTY, SMS_EMPTY),
    Hostile("nul-only", "\x00\x00\x00", 422, WEB_EMPTY, SMS_EMPTY),
    Hostile("100kB", HUNDRED_KB, 422, WEB_TOO_LONG, sms_status=413),
    Hostile("long-word", LONG_WORD),
    Hostile("control-characters", "hel\x00lo\x01\x07\x08\x1b[31m there\x7f\x9b\x85"),
    Hostile("line-breaks", "hello\r\n\r\n\r\n\r\n\u2028there\u2029\x0b\x0c"),
    Hostile("emoji", "hello 👋🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️"),
    Hostile("emoji-only", "👍"),
    Hostile("arabic", "مرحبا، أنا معلمة وأريد المشورة بشأن طفل"),
    Hostile("hebrew", "שלום, אני מורה ואני צריכה עצה לגבי ילד"),
    Hostile("rlo-override", "hello \u202egnp.exe\u202c and \u2066isolated\u2069 text"),
    Hostile("zero-width", "he\u200bl\u200cl\u200do\ufeff"),
    Hostile("combining", "Z\u0351\u0368\u0300a\u036b\u0357l\u0310\u0301g\u0310o\u0358\u0303"),
    Hostile("noncharacters", "hello \ufffe\uffff \U0010ffff"),
    Hostile("sql-quote", "' OR '1'='1' --"),
    Hostile("sql-drop", "Robert'); DROP TABLE contacts;--"),
    Hostile("sql-union", "1 UNION SELECT reference, concern FROM contacts WHERE 1=1; --"),
    Hostile("html-script", '<script>alert("pcl")</script>'),
    Hostile("html-image", '"><img src=x onerror="alert(1)">'),
    Hostile("template", "{{ 7*7 }} ${7*7} {% print 1 %} %s %n"),
    Hostile("twiml", "</Message><Redirect>https://attacker.example/</Redirect><Message>"),
    # "/" starts an intent for Rasa: only a button's payload may (bot.domain.validation).
    Hostile("rasa-payload", '/greet{"caller_name": "<b>x</b>"}'),
    Hostile("rasa-unknown-intent", "/hello there, my concern is about a pupil"),
    Hostile("slashes-only", "/ // ///", 422, WEB_EMPTY, SMS_EMPTY),
)


@dataclass(frozen=True)
class RawBody:
    id: str
    body: bytes
    content_type: str
    status: int  # what the web chat answers
    reply: str | None = None  # a phrase the chat reply must hold


RAW_JSON: tuple[RawBody, ...] = (
    RawBody("invalid-utf8", b'{"text": "caf\xe9 \xff\xfe\xc3"}', "application/json", 400,
            WEB_UNREADABLE),
    RawBody("overlong-utf8", b'{"text": "\xc0\xaf\xe0\x80\xaf"}', "application/json", 400,
            WEB_UNREADABLE),
    RawBody("lone-surrogate", b'{"text": "hello \\ud800 there"}', "application/json", 200),
    RawBody("nul-escaped", b'{"text": "hello\\u0000there"}', "application/json", 200),
    # UTF-16 with its byte order mark is JSON that Python's json module reads (RFC 8259 §8.1
    # allows it between consenting systems): an ordinary turn.
    RawBody("utf16", '{"text": "hello"}'.encode("utf-16"), "application/json", 200),
    RawBody("not-json", b"hello there", "application/json", 422, WEB_UNREADABLE),
    RawBody("text-plain", b'{"text": "hello"}', "text/plain", 422, WEB_UNREADABLE),
    RawBody("form", b"text=hello", "application/x-www-form-urlencoded", 422, WEB_UNREADABLE),
    RawBody("array", b'["hello"]', "application/json", 422, WEB_UNREADABLE),
    # Python's json module gives up on it (RecursionError), which FastAPI answers with 400.
    RawBody("deep-nesting", b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            "application/json", 400, WEB_UNREADABLE),
)


def twilio_form(body: str | bytes, sender: str, to: str, **extra: str) -> bytes:
    """Twilio's inbound SMS form, encoded; a `bytes` body goes in as it is (raw bytes)."""
    sid = new_message_sid()
    fields = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
              "To": to, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01", **extra}
    encoded = urlencode(fields).encode()
    if isinstance(body, bytes):
        return encoded + b"&Body=" + body
    return encoded + b"&" + urlencode({"Body": body}).encode()


@dataclass(frozen=True)
class RawForm:
    """A signed Twilio webhook body of raw bytes, and the status it must get."""

    id: str
    body: bytes  # `Body`'s bytes as they go on the wire, and any fields after it
    status: int


def many_fields(count: int) -> bytes:
    return b"&".join(f"Extra{i}=value{i}".encode() for i in range(count))


RAW_FORMS: tuple[RawForm, ...] = (
    RawForm("percent-invalid-utf8", b"caf%E9%20%FF%FE%C3", 200),
    RawForm("raw-latin1-bytes", b"caf\xe9 na\xefve", 200),
    RawForm("percent-nul", b"hel%00lo%01", 200),
    RawForm("duplicate-body", b"hello&Body=%3Cscript%3Ealert(1)%3C%2Fscript%3E", 200),
    RawForm("500-extra-fields", b"hello&" + many_fields(500), 200),
    # python-multipart's limit is 1,000 fields: a clear 400 before anything is looked at.
    RawForm("1500-extra-fields", b"hello&" + many_fields(1500), 400),
)
