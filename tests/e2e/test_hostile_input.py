"""Hostile input through both channels over the real stack (issue 8): every message of the
corpus (tests/support/hostile.py: empty, whitespace, 100 kB, control characters, emoji,
right-to-left text and bidi overrides, SQL, HTML and script, a very long word), and request
bodies that are not even text (invalid UTF-8 as JSON and as a Twilio form, a form of many
fields), sent to `POST /chat/api/messages` and, signed as Twilio signs, to `POST /sms/twilio`.

Each gets a clear answer: a reply the professional can read, or a 4xx saying what was wrong;
never a 5xx, never the "can't answer right now" of a part that fell over, and the conversation
carries on. Nothing is stored wrongly: no contact from a hostile message alone; none of it in
any file the stack wrote (database, logs); what a named-child consultation records is exactly
what was typed, and the IRT's page shows it as text. Unsigned or badly signed webhooks with the
same content are refused with 403 and leave no turn and no row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from bot.domain.validation import clean_text, for_the_assistant
from tests.conftest import IN_HOURS
from tests.support.chat import WebChat
from tests.support.conversation import (
    ASK_FAMILY_AWARE,
    ASK_FEEDBACK,
    ASK_HARM,
    ASK_NAME,
    ASK_NEEDS,
    ASK_PHONE,
    ASK_SUPPORT,
    REFERENCE,
    Records,
    consult,
    contact,
    conversation,
    files_containing,
    named_child,
    thresholds,
)
from tests.support.hostile import (
    CORPUS,
    RAW_FORMS,
    RAW_JSON,
    UNAVAILABLE,
    WEB_TOO_LONG,
    Hostile,
    RawBody,
    RawForm,
    twilio_form,
)
from tests.support.sms import SmsPhone, parse_twiml, phone_for, user_turns
from tests.support.stack import PROCESSES, Stack
from tests.support.staff import StaffSession, add_staff

pytestmark = pytest.mark.e2e

_ids = {"ids": lambda item: item.id}
# A named-child consultation with markup and SQL in what it records, through each channel.
MARKED_UP = {
    "caller": "Jo O'Brien <b>DSL</b>",
    "agency": "St Mary's & St John's <School>",
    "child": "Amy <i>Jones</i>",
    "carers": 'Mum "Sarah"\'); DROP TABLE contacts;--',
    "concern": "She is late most mornings <script>alert('pcl')</script> ' OR '1'='1",
}
# The contacts those consultations recorded, for the IRT's view of them.


@dataclass(frozen=True)
class Start:
    """The stack when the module began: its records and how far each log had got."""

    records: Records
    log_sizes: dict[Path, int]

    def new_log_text(self, stack: Stack) -> str:
        parts = []
        for path in sorted(stack.log_dir.glob("*.log")):
            with path.open("rb") as log:
                log.seek(self.log_sizes.get(path, 0))
                parts.append(log.read().decode(errors="replace"))
        return "\n".join(parts)


@pytest.fixture(scope="module")
def start(stack: Stack) -> Start:
    stack.set_clock(IN_HOURS)
    sizes = {path: path.stat().st_size for path in stack.log_dir.glob("*.log")}
    return Start(Records.now(stack), sizes)


@pytest.fixture
def before(start: Start) -> Records:
    """What the database held before the module's hostile messages."""
    return start.records


@pytest.fixture
def phone(in_hours: Stack) -> Iterator[SmsPhone]:
    session = phone_for(in_hours)
    yield session
    session.close()


def readable(texts: list[str]) -> str:
    """The reply's text, checked to be something a professional can read."""
    text = "\n".join(texts)
    assert text.strip(), "an empty reply"
    assert any(c.isalpha() for c in text), text
    assert UNAVAILABLE not in text, text
    return text


def chat_answer(response: httpx.Response, status: int, phrase: str | None = None) -> str:
    """The web chat's answer, checked: the status, and chat messages a professional can read
    (holding `phrase`), whether the message was taken (200) or refused (4xx)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    text = readable([m["text"] for m in response.json()["messages"]])
    assert phrase is None or phrase in text, text
    return text


def sms_texts(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/xml"), response.text
    return parse_twiml(response.text)


def sms_answer(phone: SmsPhone, body: str | bytes, status: int) -> str | None:
    """Texts `body` (signed); the answer, checked: TwiML a professional can read, each message
    within Twilio's limit, or (for what Twilio could never have sent) a 4xx saying why."""
    response = phone.post_raw(twilio_form(body, phone.number, phone.to))
    assert response.status_code == status, response.text
    if status != 200:
        assert response.json()["detail"]
        return None
    texts = sms_texts(response)
    assert all(len(part) <= 1600 for part in texts)
    return readable(texts)


def carries_on_by_web(chat: WebChat) -> None:
    readable(chat.say_text("hello").splitlines())
    assert chat.last_status == 200


def carries_on_by_sms(phone: SmsPhone) -> None:
    readable(phone.send("hello"))


# --- the corpus through the web chat ------------------------------------------------------


@pytest.mark.parametrize("item", CORPUS, **_ids)
def test_the_web_chat_answers_each_hostile_message_clearly(
    in_hours: Stack, before: Records, item: Hostile
) -> None:
    with conversation(in_hours) as conv:
        response = conv.chat.client.post("/chat/api/messages", json={"text": item.text})
        chat_answer(response, item.web_status, item.web_reply)
        carries_on_by_web(conv.chat)
    assert before.new_references(in_hours) == []


@pytest.mark.parametrize("raw", RAW_JSON, **_ids)
def test_the_web_chat_answers_bodies_that_are_not_json_text_clearly(
    in_hours: Stack, before: Records, raw: RawBody
) -> None:
    with conversation(in_hours) as conv:
        response = conv.chat.client.post(
            "/chat/api/messages", content=raw.body, headers={"content-type": raw.content_type}
        )
        chat_answer(response, raw.status, raw.reply)
        carries_on_by_web(conv.chat)
    assert before.new_references(in_hours) == []


# Far more than any message: refused as it arrives (FastAPI's max_body_size), with or without a
# Content-Length, so a chunked body cannot fill the API's memory.
TWO_MEGABYTES = b'{"text": "' + b"a" * 2_000_000 + b'"}'


def _chunked(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


@pytest.mark.parametrize("chunked", [False, True], ids=["with-length", "chunked"])
def test_a_body_far_larger_than_any_message_is_refused_by_both_channels(
    in_hours: Stack, before: Records, phone: SmsPhone, chunked: bool
) -> None:
    with conversation(in_hours) as conv:
        body = _chunked(TWO_MEGABYTES) if chunked else TWO_MEGABYTES
        response = conv.chat.client.post(
            "/chat/api/messages", content=body, headers={"content-type": "application/json"}
        )
        if chunked:
            chat_answer(response, 413, WEB_TOO_LONG)
        else:  # refused on its Content-Length before the app reads it, in plain text
            assert response.status_code == 413 and "Too Large" in response.text
        carries_on_by_web(conv.chat)
    form = b"Body=" + b"a" * 2_000_000
    response = phone.client.post(
        "/sms/twilio",
        content=_chunked(form) if chunked else form,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413, response.text
    carries_on_by_sms(phone)
    assert before.new_references(in_hours) == []


def test_the_web_chat_takes_each_hostile_message_as_an_answer_mid_consultation(
    in_hours: Stack, before: Records
) -> None:
    """Every message of the corpus where the caller's details are being taken (the phone
    number question, which validates what it gets): a clear reply each time."""
    with conversation(in_hours) as conv:
        conv.say("hello")
        conv.say_all(["/professional", "Jo Bloggs", "class teacher", "Oakwood Primary"])
        assert ASK_PHONE in conv.say("office@oakwood.example.org"), conv.transcript
        for item in CORPUS:
            response = conv.chat.client.post("/chat/api/messages", json={"text": item.text})
            chat_answer(response, item.web_status)
    assert before.new_references(in_hours) == []


# --- the corpus by SMS ----------------------------------------------------------------------


@pytest.mark.parametrize("item", CORPUS, **_ids)
def test_sms_answers_each_hostile_message_clearly(
    in_hours: Stack, before: Records, phone: SmsPhone, item: Hostile
) -> None:
    text = sms_answer(phone, item.text, item.sms_status)
    if text is None or item.sms_reply:
        assert item.sms_reply is None or item.sms_reply in (text or "")
        assert user_turns(in_hours, phone.number) == 0  # refused, or answered without a turn
    carries_on_by_sms(phone)
    assert before.new_references(in_hours) == []


@pytest.mark.parametrize("raw", RAW_FORMS, **_ids)
def test_sms_answers_forms_of_raw_bytes_and_many_fields_clearly(
    in_hours: Stack, before: Records, phone: SmsPhone, raw: RawForm
) -> None:
    sms_answer(phone, raw.body, raw.status)
    carries_on_by_sms(phone)
    assert before.new_references(in_hours) == []


def test_sms_takes_each_hostile_message_as_an_answer_mid_consultation(
    in_hours: Stack, before: Records, phone: SmsPhone
) -> None:
    for body, expected in (
        ("hello", "Reply 1 for I'm a professional"),
        ("1", ASK_NAME),
        ("Jo Bloggs", "role"),
        ("class teacher", "organisation"),
        ("Oakwood Primary", "address"),
        ("office@oakwood.example.org", "telephone"),
    ):
        assert expected in phone.send_text(body), body
    for item in CORPUS:
        sms_answer(phone, item.text, item.sms_status)
    assert before.new_references(in_hours) == []


@pytest.mark.parametrize(
    "item", [i for i in CORPUS if i.id in ("sql-drop", "html-script", "rlo-override")], **_ids
)
def test_unsigned_or_badly_signed_hostile_webhooks_are_refused_and_leave_nothing(
    in_hours: Stack, phone: SmsPhone, item: Hostile
) -> None:
    snapshot = Records.now(in_hours)
    form = twilio_form(item.text, phone.number, phone.to)
    forger = SmsPhone(in_hours.api_url, "not-the-auth-token", in_hours.public_base_url)
    try:
        for response in (
            phone.post_raw(form, sign=False),
            phone.client.post(
                "/sms/twilio",
                content=form,
                headers={
                    "content-type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": forger.signature({"Body": item.text}),
                },
            ),
        ):
            assert response.status_code == 403, response.text
            assert response.json() == {"detail": "Forbidden"}
    finally:
        forger.close()
    # Not even a conversation's start (checked first: reading Rasa's tracker starts one).
    assert snapshot.new_statistics(in_hours) == []
    assert snapshot.new_references(in_hours) == []
    assert user_turns(in_hours, phone.number) == 0


# --- what is stored -------------------------------------------------------------------------


def _record_by_web_chat(stack: Stack) -> str:
    with conversation(stack) as conv:
        consult(conv, caller={"name": MARKED_UP["caller"], "agency": MARKED_UP["agency"]})
        named_child(conv, {"name": MARKED_UP["child"], "carers": MARKED_UP["carers"]})
        assert ASK_FAMILY_AWARE in conv.say(MARKED_UP["concern"]), conv.transcript
        assert ASK_HARM in conv.say("yes"), conv.transcript
        reference = thresholds(conv, "no", "some", "partly", "yes").reference
    assert reference
    return reference


def _record_by_sms(stack: Stack) -> str:
    phone = phone_for(stack)
    try:
        script = [
            ("hello", "Reply 1 for I'm a professional"),
            ("1", ASK_NAME),
            (MARKED_UP["caller"], "role"),
            ("Designated safeguarding lead", "organisation"),
            (MARKED_UP["agency"], "address"),
            ("dsl@example.org", "telephone"),
            ("01332 000111", "Reply 1 for Named child"),
            ("1", "Does the child live in Derby city?"),
            ("1", "already open to Children's Social Care"),
            ("2", "child's full name"),
            (MARKED_UP["child"], "date of birth"),
            ("3/4/2015", "address"),
            ("12 Oak Road, Derby DE22 1AB", "school"),
            ("Oakwood Primary", "parents or carers"),
            (MARKED_UP["carers"], "other children in the household"),
            ("2", "concern"),
            (MARKED_UP["concern"], ASK_FAMILY_AWARE),
            ("yes", ASK_HARM),
            ("no", ASK_NEEDS),
            ("some", ASK_SUPPORT),
            # The family's "yes" was the consent to early help too: never asked twice.
            ("partly", ASK_FEEDBACK),
        ]
        reply = ""
        for body, expected in script:
            reply = phone.send_text(body)
            assert expected in reply, (body, reply)
        found = REFERENCE.search(reply)
        assert found, reply
        return found.group(0)
    finally:
        phone.close()


@pytest.fixture(scope="module")
def marked_up(stack: Stack) -> dict[str, str]:
    """The references of a named-child consultation typed with markup and SQL, by each channel:
    recorded once for the module, for every test that reads them."""
    stack.set_clock(IN_HOURS)
    return {"web": _record_by_web_chat(stack), "sms": _record_by_sms(stack)}


def test_a_named_child_consultation_by_web_chat_records_markup_and_sql_as_typed(
    in_hours: Stack, marked_up: dict[str, str]
) -> None:
    reference = marked_up["web"]
    stored = contact(in_hours, reference)
    assert stored.caller.name == MARKED_UP["caller"]
    assert stored.caller.agency == MARKED_UP["agency"]
    assert stored.child.name == MARKED_UP["child"]
    assert stored.child.carers == MARKED_UP["carers"]
    assert stored.concern == MARKED_UP["concern"]


def test_a_named_child_consultation_by_sms_records_markup_and_sql_as_typed(
    in_hours: Stack, marked_up: dict[str, str]
) -> None:
    reference = marked_up["sms"]
    stored = contact(in_hours, reference)
    assert stored.channel == "sms"
    assert stored.caller.name == MARKED_UP["caller"]
    assert stored.child.name == MARKED_UP["child"]
    assert stored.child.carers == MARKED_UP["carers"]
    assert stored.concern == MARKED_UP["concern"]


def test_the_irt_sees_what_was_typed_as_text(stack: Stack, marked_up: dict[str, str]) -> None:
    """The contact page escapes every field (Jinja's autoescape); the JSON API returns it
    exactly."""
    username, password = add_staff(stack)
    with StaffSession(stack.api_url, username, password).sign_in().client() as staff:
        for reference in marked_up.values():
            page = staff.get(f"/irt/contacts/{reference}")
            assert page.status_code == 200
            for value in MARKED_UP.values():
                assert str(escape(value)) in page.text, value
            for raw in ("<b>DSL</b>", "<i>Jones</i>", "<script>alert", "<School>"):
                assert raw not in page.text, raw
            record = staff.get(f"/irt/api/contacts/{reference}").json()
            assert record["child"]["name"] == MARKED_UP["child"]
            assert record["referrer"]["name"] == MARKED_UP["caller"]


# --- afterwards -----------------------------------------------------------------------------


def test_no_hostile_message_is_in_any_file_the_stack_wrote(stack: Stack) -> None:
    """Database and logs alike: what was typed is kept only inside a recorded contact, where
    it is encrypted, so none of it can be found in the clear: as sent, as the channels clean
    it, or JSON-escaped as a log might write it."""
    texts = [item.text for item in CORPUS if item.distinctive]
    texts += [value for value in MARKED_UP.values() if len(value) >= 12]
    for text in texts:
        cleaned = clean_text(text, max_chars=len(text))
        variants = {text.strip(), cleaned, for_the_assistant(cleaned, intents=())}
        for form in {v for v in variants if len(v) >= 12}:
            for written in {form, json.dumps(form)[1:-1]}:
                assert files_containing(stack, written) == [], written[:60]


def test_the_processes_are_still_up_and_healthy(stack: Stack, start: Start) -> None:
    for name in PROCESSES:
        assert stack.processes[name].poll() is None, f"{name} exited"
    response = httpx.get(stack.api_url + "/healthz", timeout=30)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    logged = start.new_log_text(stack)
    for sign_of_trouble in ("Traceback", "unhandled", "ERROR"):
        assert sign_of_trouble not in logged, logged[-3000:]
