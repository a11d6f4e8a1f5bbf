"""The significant-harm use case through its port: a flagged named-child contact is saved with
its IRT alert in one call (one transaction on the action side), the alert worded from the
reference the save gives; nothing is alerted for an anonymous scenario or a contact already
flagged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.adapters.service_file import load_facts
from bot.domain.significant_harm import NAMED_CHILD, SCENARIO, Certainty, Channel
from bot.services.significant_harm import HarmSignalIn, respond_to_harm

IN_HOURS = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
REFERENCE = "PCL-2026-000042"


class Records:
    def __init__(self) -> None:
        self.saved: list[str | None] = []  # each save's alert text (None: no alert)
        self.counted: list[str] = []

    def save_flagged_contact(self, alert_text: Callable[[str], str] | None) -> str:
        self.saved.append(alert_text(REFERENCE) if alert_text else None)
        return REFERENCE

    def count(self, topic: str) -> None:
        self.counted.append(topic)


def signal(kind: str | None, **more: object) -> HarmSignalIn:
    return HarmSignalIn(
        certainty=Certainty.CERTAIN,
        immediate_danger=False,
        channel=Channel.WEB,
        consultation_type=kind,
        **more,  # type: ignore[arg-type]
    )


def test_a_named_child_is_saved_with_its_alert_in_one_call() -> None:
    records = Records()
    outcome = respond_to_harm(signal(NAMED_CHILD), facts=load_facts(), at=IN_HOURS, records=records)
    assert outcome.reference == REFERENCE
    [alert] = records.saved
    assert alert is not None
    assert REFERENCE in alert
    assert "significant harm" in alert
    assert any(REFERENCE in reply for reply in outcome.replies)


def test_an_anonymous_scenario_is_neither_saved_nor_alerted() -> None:
    records = Records()
    respond_to_harm(signal(SCENARIO), facts=load_facts(), at=IN_HOURS, records=records)
    assert records.saved == []


def test_a_contact_already_flagged_is_completed_without_a_second_alert() -> None:
    records = Records()
    respond_to_harm(
        signal(NAMED_CHILD, already_confirmed=True, already_flagged=True, reference=REFERENCE),
        facts=load_facts(),
        at=IN_HOURS,
        records=records,
    )
    assert all(alert is None for alert in records.saved)
