"""The greeting while the line is open, and the closed message outside its hours."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.greeting import ActionGreet
from actions.services import Services
from bot.domain import messages
from tests.unit.actions.conftest import CLOSED_IRT_OPEN, OUT_OF_HOURS, run, texts, tracker

GREET = ActionGreet()


def test_an_open_line_welcomes_the_caller(services: Services) -> None:
    events, sent = run(GREET, tracker({"line_open": True}, intent="greet", text="hello"))
    assert events == []
    assert texts(sent) == [messages.welcome(services.facts)]
    assert "We're open now." in texts(sent)[0]
    assert "not a referral service" in texts(sent)[0]


def test_an_opening_that_names_a_professional_answers_the_first_question() -> None:
    events, _ = run(GREET, tracker({"line_open": True}, intent="professional", text="I'm a DSL"))
    assert events == [SlotSet("role_type", "professional")]


def test_dhcft_staff_are_welcomed_and_the_offer_is_left_to_the_form(services: Services) -> None:
    # The form validates the role next and makes the offer then: once, not twice.
    events, sent = run(
        GREET, tracker({"line_open": True}, intent="dhcft_health_staff", text="HV, DHCFT")
    )
    assert events == [SlotSet("role_type", "dhcft")]
    assert texts(sent) == [messages.welcome(services.facts)]


@pytest.mark.parametrize("intent", ["named_child", "scenario", "describe_concern", "inform"])
def test_other_openings_leave_the_first_question_to_the_form(intent: str) -> None:
    events, sent = run(GREET, tracker({"line_open": True}, intent=intent))
    assert events == []
    assert len(sent) == 1


def test_a_role_already_known_is_not_asked_over() -> None:
    events, _ = run(
        GREET,
        tracker({"line_open": True, "role_type": "professional"}, intent="dhcft_health_staff"),
    )
    assert events == []


def test_a_closed_line_gives_the_closed_message(
    at: Callable[[str], Services],
) -> None:
    services = at(OUT_OF_HOURS)
    events, sent = run(GREET, tracker({"line_open": False}, intent="professional"))
    said = texts(sent)
    assert events == []  # no role taken: there is no consultation while closed
    assert said == messages.closed(services.facts, services.clock.now())
    assert said[0].startswith("The Professional Consultation Line is closed now.")
    assert "we next open Monday 30 November at 10am" in said[0]
    assert "999" in said[1]
    # The IRT is not working at the weekend: the offer is the Care Line, not the IRT.
    assert "call Derby City Care Line now" in said[2]
    assert "make sure the IRT knows" not in said[2]


def test_before_opening_on_a_working_day_the_irt_is_told_at_once(
    at: Callable[[str], Services],
) -> None:
    services = at(CLOSED_IRT_OPEN)
    _, sent = run(GREET, tracker({"line_open": False}, intent="greet"))
    said = texts(sent)
    assert said == messages.closed(services.facts, services.clock.now())
    assert "tell me now and I'll make sure the IRT knows" in said[2]


@pytest.mark.parametrize(
    ("text", "concern"),
    [
        ("GP here - dad brought in his 8 yr old and mentioned money is very tight", True),
        ("Nursery manager - a family where dad has lost his job", False),
    ],
)
def test_a_professional_opening_with_their_concern_is_a_professional_and_it_is_kept(
    text: str, concern: bool
) -> None:
    events, _ = run(GREET, tracker({"line_open": True}, intent="describe_concern", text=text))
    assert SlotSet("role_type", "professional") in events
    assert (SlotSet("concern", text) in events) is True


def test_a_conversation_begun_closed_stays_closed_while_the_line_is_closed(
    at: Callable[[str], Services],
) -> None:
    # Begun after closing (line_open false at the start) and still closed: the closed message.
    services = at("2026-11-26T16:30:00+00:00")
    events, sent = run(GREET, tracker({"line_open": False}, intent="greet"))
    assert events == []
    assert texts(sent) == messages.closed(services.facts, services.clock.now())


def test_a_caller_back_after_the_advice_is_told_how_to_start_again() -> None:
    events, sent = run(
        GREET, tracker({"line_open": True, "consultation_done": True}, intent="greet")
    )
    assert events == []
    assert texts(sent) == ["Hello again. Type 'start again' to begin a new consultation."]


def test_a_conversation_begun_before_opening_is_open_once_the_line_opens(
    at: Callable[[str], Services],
) -> None:
    # Begun at 09:30 (line_open false at the session's start), the caller writes again at
    # 10:05: the line is open, so the consultation starts; never "we next open today at 10:05".
    services = at("2026-11-26T10:05:00+00:00")
    events, sent = run(GREET, tracker({"line_open": False}, intent="greet", text="hello"))
    said = texts(sent)
    assert said == [messages.welcome(services.facts)]
    assert not any("we next open" in text for text in said)
    assert events == [SlotSet("line_open", True), FollowupAction("consultation_form")]


def test_a_conversation_begun_while_open_stays_open_after_closing(
    at: Callable[[str], Services],
) -> None:
    services = at("2026-11-26T16:20:00+00:00")
    events, sent = run(GREET, tracker({"line_open": True}, intent="greet", text="hello"))
    assert texts(sent) == [messages.welcome(services.facts)]
    assert events == []
