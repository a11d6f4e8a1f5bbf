"""Answers that leave the consultation where it was, and the routes elsewhere: the public,
adults (with Think Family) and domestic abuse."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk.events import SlotSet

from actions.digressions import (
    OUT_OF_SCOPE,
    ActionAdultRoute,
    ActionAnswerDigression,
    ActionDomesticAbuseRoute,
    ActionPublicRoutes,
)
from actions.services import Services
from bot.domain import messages
from bot.domain.statistics import StatEvent
from tests.unit.actions.conftest import OUT_OF_HOURS, run, stat_count, texts, tracker

DIGRESSION = ActionAnswerDigression()
IN_THE_FORM = {"line_open": True, "role_type": "professional", "requested_slot": "caller_name"}


def expected_answer(intent: str, services: Services) -> list[str]:
    facts, now = services.facts, services.clock.now()
    return {
        "help": [messages.help_text(facts)],
        "ask_hours": [messages.hours_text(facts, now)],
        "ask_privacy": [messages.privacy_text()],
        "make_referral": messages.not_a_referral(facts, now),
        "speak_to_someone": messages.speak_to_someone(facts, now),
    }.get(intent, [OUT_OF_SCOPE])


@pytest.mark.parametrize(
    ("intent", "says"),
    [
        ("help", "I can help you decide whether a concern about a child meets the threshold"),
        ("ask_hours", "open 10am to 4pm, Monday to Friday"),
        ("ask_privacy", "If you choose a scenario, nothing you tell me is kept"),
        ("make_referral", "This line is not a referral service."),
        ("speak_to_someone", "You can call the Professional Consultation Line on 07812 300329"),
        ("out_of_scope", "Sorry, I can only help professionals with concerns about a child."),
    ],
)
def test_each_question_gets_its_answer_and_leaves_the_form_as_it_was(
    services: Services, intent: str, says: str
) -> None:
    events, sent = run(
        DIGRESSION, tracker(IN_THE_FORM, intent=intent, active_loop="consultation_form")
    )
    assert events == []
    assert texts(sent) == expected_answer(intent, services)
    assert says in texts(sent)[0]


def test_an_unknown_intent_gets_the_out_of_scope_answer() -> None:
    events, sent = run(DIGRESSION, tracker({"line_open": True}))
    assert events == []
    assert texts(sent) == [OUT_OF_SCOPE]


def test_the_hours_answer_says_whether_the_line_is_open_now(
    at: Callable[[str], Services],
) -> None:
    _, sent = run(DIGRESSION, tracker({"line_open": True}, intent="ask_hours"))
    assert "It's open now." in texts(sent)[0]
    at(OUT_OF_HOURS)
    _, sent = run(DIGRESSION, tracker({"line_open": False}, intent="ask_hours"))
    assert "It's closed now." in texts(sent)[0]


def test_speak_to_someone_while_closed_gives_only_the_urgent_routes(
    at: Callable[[str], Services],
) -> None:
    services = at(OUT_OF_HOURS)
    _, sent = run(DIGRESSION, tracker({"line_open": False}, intent="speak_to_someone"))
    assert texts(sent) == [messages.urgent_routes(services.facts, services.clock.now())]


def test_a_member_of_the_public_gets_the_public_routes_and_is_counted(services: Services) -> None:
    events, sent = run(
        ActionPublicRoutes(),
        tracker({"line_open": True}, intent="member_of_public", text="/member_of_public"),
    )
    assert texts(sent) == messages.public_routes(services.facts, services.clock.now())
    assert texts(sent)[0].startswith("This line is for professionals")
    assert events == [SlotSet("role_type", "public"), SlotSet("consultation_done", True)]
    assert stat_count(StatEvent.PUBLIC_REDIRECTED) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Health visitor - mum has asked if there are any parenting courses near her",
        "mum is finding it hard with the new baby and her 4 year old isn't going to nursery much",
    ],
)
def test_a_concern_read_as_the_public_is_asked_who_is_calling_not_turned_away(text: str) -> None:
    events, sent = run(
        ActionPublicRoutes(), tracker({"line_open": True}, intent="member_of_public", text=text)
    )
    assert [m.get("response") for m in sent] == ["utter_ask_role_type"]
    assert events == [SlotSet("concern", text)]
    assert stat_count(StatEvent.PUBLIC_REDIRECTED) == 0


def test_an_adult_concern_gets_the_adults_route_then_think_family(services: Services) -> None:
    events, sent = run(ActionAdultRoute(), tracker({"line_open": True}, intent="adult_concern"))
    said = texts(sent)
    assert said[:-1] == messages.adult_route(services.facts)
    assert "Care Act 2014, s.42" in said[0]
    assert said[-1] == messages.THINK_FAMILY_QUESTION
    assert sent[-1]["buttons"] == [
        {"title": "Yes, there are children", "payload": "/affirm"},
        {"title": "No children", "payload": "/deny"},
    ]
    assert events == [SlotSet("topic", "adult")]


def test_domestic_abuse_gets_the_notification_route(services: Services) -> None:
    events, sent = run(
        ActionDomesticAbuseRoute(), tracker({"line_open": True}, intent="domestic_abuse")
    )
    assert texts(sent) == messages.domestic_abuse_route(services.facts)
    assert events == [SlotSet("topic", "domestic_abuse")]


def test_domestic_abuse_while_closed_also_says_no_consultation_now(
    at: Callable[[str], Services],
) -> None:
    services = at(OUT_OF_HOURS)
    _, sent = run(
        ActionDomesticAbuseRoute(), tracker({"line_open": False}, intent="domestic_abuse")
    )
    now = services.clock.now()
    assert texts(sent) == [
        *messages.domestic_abuse_route(services.facts),
        *messages.line_closed_reminder(services.facts, now),
    ]


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        ("caller_phone", "you can ring me on 07700 900123"),
        ("caller_address", "email me at jo.bloggs@example.org please"),
        ("caller_address", "what about 12 Park Road, Derby DE1 2AB"),
        ("child_dob", "she was born on 3/4/2017, what time do you close?"),
    ],
)
def test_a_recognisable_answer_to_the_question_asked_is_taken_as_the_answer(
    slot: str, text: str
) -> None:
    # However the classifier read it (here: a question about the hours).
    slots = {**IN_THE_FORM, "requested_slot": slot}
    events, sent = run(
        DIGRESSION, tracker(slots, intent="ask_hours", text=text, active_loop="consultation_form")
    )
    assert events == [SlotSet(slot, text)]
    assert sent == []


def test_a_real_question_during_the_form_is_still_answered(services: Services) -> None:
    slots = {**IN_THE_FORM, "requested_slot": "caller_phone"}
    on = tracker(
        slots, intent="ask_hours", text="when do you close?", active_loop="consultation_form"
    )
    events, sent = run(DIGRESSION, on)
    assert events == []
    assert texts(sent) == expected_answer("ask_hours", services)
