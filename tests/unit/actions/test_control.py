"""The caller's controls at any point: stop, start again, and what happens when the assistant
does not understand (a rephrase request, then the human routes: never a guess)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet, UserUtteranceReverted

from actions.control import ActionDefaultFallback, ActionFallback, ActionRestart, ActionStop
from actions.services import Services
from bot.domain import messages
from tests.unit.actions.conftest import OUT_OF_HOURS, run, texts, tracker

IN_THE_FORM = {"line_open": True, "role_type": "professional", "requested_slot": "caller_name"}


def test_stop_closes_the_form_and_forgets_the_conversation(services: Services) -> None:
    events, sent = run(
        ActionStop(), tracker(IN_THE_FORM, intent="stop", active_loop="consultation_form")
    )
    assert events == [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet("forget_conversation", True),
    ]
    assert texts(sent) == ["OK, I've stopped.", messages.goodbye(services.facts)]
    assert "999" in texts(sent)[1]


def test_stop_after_a_handoff_says_the_contact_is_kept(services: Services) -> None:
    slots = {**IN_THE_FORM, "contact_reference": "PCL-2026-000001"}
    events, sent = run(ActionStop(), tracker(slots, intent="goodbye"))
    assert texts(sent) == [
        "OK, I've stopped. Contact PCL-2026-000001 is kept for the IRT.",
        messages.goodbye(services.facts),
    ]
    assert SlotSet("forget_conversation", True) in events


def test_start_again_clears_everything_and_forgets_the_conversation() -> None:
    events, sent = run(
        ActionRestart(), tracker(IN_THE_FORM, intent="restart", active_loop="consultation_form")
    )
    assert events == [ActiveLoop(None), AllSlotsReset(), SlotSet("forget_conversation", True)]
    assert texts(sent) == ["OK, I've cleared this conversation. Send any message to start again."]


# Rasa's own fallback also takes the message back, so the next prediction is to listen.
FALLBACKS = [(ActionFallback(), []), (ActionDefaultFallback(), [UserUtteranceReverted()])]


@pytest.mark.parametrize(("action", "first"), FALLBACKS)
def test_the_first_miss_asks_for_a_rephrase(action: ActionFallback, first: list) -> None:
    events, sent = run(action, tracker({"line_open": True}, intent="nlu_fallback", text="blorp"))
    assert events == [*first, SlotSet("misunderstood", 1.0)]
    assert texts(sent) == [messages.rephrase()]


@pytest.mark.parametrize(("action", "first"), FALLBACKS)
def test_the_second_miss_in_a_row_gives_the_human_routes(
    services: Services, action: ActionFallback, first: list
) -> None:
    earlier, _ = run(action, tracker({"line_open": True}, intent="nlu_fallback"))
    misses = earlier[-1]["value"]
    events, sent = run(action, tracker({"line_open": True, "misunderstood": misses}))
    assert events == [*first, SlotSet("misunderstood", 0.0)]
    said = texts(sent)
    assert said == messages.human_routes(services.facts, services.clock.now())
    assert said[0] == "Sorry, I still didn't understand. You can speak to someone instead."
    assert "07812 300329" in said[1]
    assert "999" in said[2]


def test_the_third_miss_starts_again_with_a_rephrase() -> None:
    events, sent = run(ActionFallback(), tracker({"line_open": True, "misunderstood": 0.0}))
    assert events == [SlotSet("misunderstood", 1.0)]
    assert texts(sent) == [messages.rephrase()]


def test_out_of_hours_the_human_routes_are_the_urgent_ones(at: Callable[[str], Services]) -> None:
    at(OUT_OF_HOURS)
    _, sent = run(ActionFallback(), tracker({"line_open": False, "misunderstood": 1.0}))
    said = texts(sent)
    assert len(said) == 2  # the line is closed: no line number to give
    assert "07812 300329" not in " ".join(said)
    assert "Derby City Care Line (out of hours) on 01332 956606" in said[1]
