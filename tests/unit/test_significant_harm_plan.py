"""Rule 7's decision as a table: every signal (certain, uncertain), moment (the line open, the
IRT only, the Care Line), consultation type (named, scenario, not yet known) and channel."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.significant_harm import (
    NAMED_CHILD,
    SCENARIO,
    Certainty,
    Channel,
    HarmSituation,
    UrgentContact,
    plan_harm_response,
)

KINDS = (NAMED_CHILD, SCENARIO, None)
COMBINATIONS = list(itertools.product(Certainty, UrgentContact, KINDS, Channel, (False, True)))


def situation(certainty, urgent, kind, channel, immediate, **more) -> HarmSituation:
    return HarmSituation(
        certainty=certainty,
        immediate_danger=immediate,
        urgent_contact=urgent,
        channel=channel,
        consultation_type=kind,
        **more,
    )


@pytest.mark.parametrize(("certainty", "urgent", "kind", "channel", "immediate"), COMBINATIONS)
def test_every_signal_at_every_moment_gets_the_urgent_route_of_that_moment(
    certainty, urgent, kind, channel, immediate
) -> None:
    plan = plan_harm_response(situation(certainty, urgent, kind, channel, immediate))
    assert plan.urgent_contact is urgent
    assert plan.immediate_danger is immediate


@pytest.mark.parametrize(
    ("urgent", "kind", "channel", "immediate"),
    [c[1:] for c in COMBINATIONS if c[0] is Certainty.UNCERTAIN],
)
def test_an_uncertain_signal_asks_first_and_flags_nothing(urgent, kind, channel, immediate) -> None:
    plan = plan_harm_response(situation(Certainty.UNCERTAIN, urgent, kind, channel, immediate))
    assert plan.confirm_first
    assert not plan.state_reasonable_cause
    assert not plan.record
    assert not plan.alert
    assert not plan.ask_consultation_type
    assert not plan.scenario_not_recorded


@pytest.mark.parametrize(
    ("urgent", "channel", "immediate"),
    [(u, c, i) for u, c, i in itertools.product(UrgentContact, Channel, (False, True))],
)
@pytest.mark.parametrize(
    ("kind", "record", "ask_kind", "scenario_note"),
    [
        (NAMED_CHILD, True, False, False),
        (SCENARIO, False, False, True),
        (None, False, True, False),
    ],
)
def test_a_certain_signal_is_confirmed_at_once_and_only_a_named_child_is_recorded(
    urgent, channel, immediate, kind, record, ask_kind, scenario_note
) -> None:
    plan = plan_harm_response(situation(Certainty.CERTAIN, urgent, kind, channel, immediate))
    assert not plan.confirm_first
    assert plan.state_reasonable_cause
    assert plan.record is record
    assert plan.alert is record
    assert plan.ask_consultation_type is ask_kind
    assert plan.scenario_not_recorded is scenario_note


def test_a_scenario_that_identifies_a_child_becomes_a_recorded_named_contact() -> None:
    plan = plan_harm_response(
        situation(
            Certainty.CERTAIN,
            UrgentContact.IRT,
            SCENARIO,
            Channel.WEB,
            False,
            identifies_child=True,
        )
    )
    assert plan.becomes_named and plan.record and plan.alert
    assert not plan.scenario_not_recorded


def test_an_identifying_scenario_still_asks_first_when_uncertain() -> None:
    plan = plan_harm_response(
        situation(
            Certainty.UNCERTAIN,
            UrgentContact.CARE_LINE,
            SCENARIO,
            Channel.SMS,
            False,
            identifies_child=True,
        )
    )
    assert plan.confirm_first and not plan.record and not plan.becomes_named


@pytest.mark.parametrize("certainty", list(Certainty))
def test_once_confirmed_a_later_signal_is_not_asked_again_nor_stated_again(certainty) -> None:
    plan = plan_harm_response(
        situation(
            certainty,
            UrgentContact.IRT,
            NAMED_CHILD,
            Channel.WEB,
            True,
            already_confirmed=True,
            already_flagged=True,
        )
    )
    assert not plan.confirm_first
    assert not plan.state_reasonable_cause
    assert plan.record  # the contact is completed with what the new message adds
    assert not plan.alert  # one alert per contact


def test_a_concern_confirmed_before_the_kind_was_known_is_recorded_and_alerted_once_named() -> None:
    plan = plan_harm_response(
        situation(
            Certainty.CERTAIN,
            UrgentContact.CARE_LINE,
            NAMED_CHILD,
            Channel.SMS,
            False,
            already_confirmed=True,
        )
    )
    assert plan.record and plan.alert
    assert not plan.state_reasonable_cause
