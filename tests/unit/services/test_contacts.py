"""The managers' use cases on a unit of work in memory: each writes its one audit event in the
same transaction as its change, and a change the contact's rules refuse leaves nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.adapters.service_file import load_facts
from bot.domain.contact import (
    CallerDetails,
    ChildDetails,
    ContactNotFoundError,
    ContactRuleError,
    ContactSelection,
    ContactView,
)
from bot.services import contacts as use_cases
from tests.unit.services.fakes import FakeUnitOfWork

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ZONE = "Europe/London"
FACTS = load_facts()
# Tuesday 3 November 2026, 10:00: contact 1 (Monday 10:00) has waited exactly a working day.
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def contact(number: int, **changes: object) -> ContactView:
    values: dict[str, object] = {
        "reference": f"PCL-2026-{number:06d}",
        "created_at": START + timedelta(hours=number),
        "updated_at": START + timedelta(hours=number),
        "channel": "web",
        "status": "new",
        "significant_harm": False,
        "immediate_danger": False,
        "harm_categories": [],
        "suggested_level": "2",
        "level_reasons": [],
        "threshold_answers": {},
        "next_steps": [],
        "caller": CallerDetails(name="Sam Teacher"),
        "child": ChildDetails(name=f"Child {number}"),
        "concern": "A concern",
        "family_aware": None,
        "consent_reason": None,
        "advice_given": None,
        "lcs_reference": None,
        "erased_at": None,
        "erased_by": None,
        "erasure_rationale": None,
        "history": [],
        "decisions": [],
    }
    values.update(changes)
    return ContactView(**values)  # type: ignore[arg-type]


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(
        [contact(1), contact(2, significant_harm=True), contact(3, status="erased")]
    )


def actions(uow: FakeUnitOfWork) -> list[tuple[str, str | None]]:
    return [(e.action, e.reference) for e in uow.committed.audit]


def test_the_queue_shows_harm_first_without_erased_contacts_and_is_audited_once(
    uow: FakeUnitOfWork,
) -> None:
    queue = use_cases.show_queue(
        uow, "manager", ContactSelection(), facts=FACTS, now=NOW, detail={"status": "all"}
    )
    assert [r.summary.reference for r in queue.rows] == ["PCL-2026-000002", "PCL-2026-000001"]
    assert (queue.total, queue.pages) == (2, 1)
    assert queue.counts["erased"] == 1
    [event] = uow.committed.audit
    assert (event.action, event.detail) == ("view_queue", {"count": 2, "status": "all"})


def test_the_queue_comes_in_pages_and_says_how_many_match(uow: FakeUnitOfWork) -> None:
    queue = use_cases.show_queue(
        uow, "manager", ContactSelection(), facts=FACTS, now=NOW, page=2, page_size=1
    )
    assert [r.summary.reference for r in queue.rows] == ["PCL-2026-000001"]
    assert (queue.total, queue.pages, queue.first) == (2, 2, 2)
    assert uow.committed.audit[-1].detail == {"count": 1, "page": 2}


def test_the_list_is_audited_as_a_read_of_every_contact_it_holds(uow: FakeUnitOfWork) -> None:
    views = use_cases.list_contacts(uow, "manager", ContactSelection(channel="web"))
    assert [v.child.name for v in views] == ["Child 2", "Child 1"]
    [event] = uow.committed.audit
    assert event.action == "list_contacts"
    assert event.detail == {"count": 2, "references": "PCL-2026-000002 PCL-2026-000001"}


def test_the_export_is_csv_of_the_selection_with_one_audit_event(uow: FakeUnitOfWork) -> None:
    text = use_cases.export_contacts(
        uow,
        "manager",
        ContactSelection(significant_harm=True),
        timezone=ZONE,
        detail={"via": "api"},
    )
    assert "PCL-2026-000002" in text
    assert "PCL-2026-000001" not in text
    [event] = uow.committed.audit
    assert event.detail == {"count": 1, "references": "PCL-2026-000002", "via": "api"}


def test_viewing_a_contact_is_audited_and_a_missing_one_is_not_found(
    uow: FakeUnitOfWork,
) -> None:
    view = use_cases.view_contact(uow, "manager", "PCL-2026-000001", detail={"via": "page"})
    assert view.concern == "A concern"
    with pytest.raises(ContactNotFoundError):
        use_cases.view_contact(uow, "manager", "PCL-2026-000099")
    assert actions(uow) == [("view_contact", "PCL-2026-000001")]


def test_a_decision_changes_the_status_with_its_audit_event_in_one_transaction(
    uow: FakeUnitOfWork,
) -> None:
    after = use_cases.record_decision(
        uow,
        "manager",
        "PCL-2026-000001",
        status="recorded_on_lcs",
        rationale="  Recorded  ",
        lcs_reference=" LCS-1 ",
    )
    assert (after.status, after.lcs_reference) == ("recorded_on_lcs", "LCS-1")
    assert after.decisions[-1].rationale == "Recorded"
    assert uow.commits == 1
    [event] = uow.committed.audit
    assert (event.action, event.detail) == ("record_decision", {"status": "recorded_on_lcs"})


@pytest.mark.parametrize(
    ("status", "rationale", "lcs_reference", "message"),
    [
        ("erased", "why", None, "not a decision"),
        ("new", "why", None, "not a decision"),
        ("closed", "why", None, "unknown status"),
        ("in_review", "  ", None, "rationale is required"),
        ("recorded_on_lcs", "why", " ", "needs the LCS reference"),
        ("in_review", "x" * 5001, None, "rationale: too_long"),
        ("in_review", "why", "x" * 41, "lcs_reference: too_long"),
    ],
)
def test_a_decision_the_rules_refuse_leaves_no_change_and_no_audit_event(
    uow: FakeUnitOfWork, status: str, rationale: str, lcs_reference: str | None, message: str
) -> None:
    with pytest.raises(ContactRuleError, match=message):
        use_cases.record_decision(
            uow,
            "manager",
            "PCL-2026-000001",
            status=status,
            rationale=rationale,
            lcs_reference=lcs_reference,
        )
    assert uow.commits == 0
    assert uow.committed.rows["PCL-2026-000001"].status == "new"


def test_an_erased_contact_takes_no_decision_and_no_second_erasure(uow: FakeUnitOfWork) -> None:
    with pytest.raises(ContactRuleError, match="has been erased"):
        use_cases.record_decision(
            uow, "manager", "PCL-2026-000003", status="in_review", rationale="why"
        )
    with pytest.raises(ContactRuleError, match="has been erased"):
        use_cases.erase_contact(uow, "manager", "PCL-2026-000003", rationale="why")
    assert uow.committed.audit == []


def test_an_erasure_keeps_a_tombstone_with_who_and_why_and_is_audited(
    uow: FakeUnitOfWork,
) -> None:
    after = use_cases.erase_contact(
        uow, "manager", "PCL-2026-000001", rationale=" Duplicate ", detail={"via": "api"}
    )
    assert (after.status, after.concern) == ("erased", None)
    assert (after.erased_by, after.erasure_rationale) == ("manager", "Duplicate")
    [event] = uow.committed.audit
    assert (event.action, event.reference, event.detail) == (
        "erase_contact",
        "PCL-2026-000001",
        {"via": "api"},
    )


def test_an_erasure_needs_a_reason(uow: FakeUnitOfWork) -> None:
    with pytest.raises(ContactRuleError, match="rationale is required"):
        use_cases.erase_contact(uow, "manager", "PCL-2026-000001", rationale=" ")
    assert uow.commits == 0


def test_the_queue_version_is_read_without_an_audit_event(uow: FakeUnitOfWork) -> None:
    version, counts = use_cases.queue_version(uow)
    assert version and counts["new"] == 2
    assert uow.committed.audit == []


def test_the_queue_shows_what_a_manager_triages_by_and_how_long_each_has_waited() -> None:
    uow = FakeUnitOfWork(
        [
            contact(
                1,
                child=ChildDetails(name="Amy Jo Smith", date_of_birth=date(2015, 11, 3)),
                concern="Came to school with bruises on both arms and would not say why "
                "they were there when her teacher asked her about them at break",
            ),
            contact(2, child=ChildDetails(unborn=True), harm_categories=["neglect"]),
            contact(3, status="no_further_action", child=ChildDetails(name="Bo", age_years=16)),
        ]
    )
    rows = use_cases.show_queue(uow, "manager", ContactSelection(), facts=FACTS, now=NOW).rows
    first, second, third = rows
    assert (first.child_first_name, first.age_band) == ("Amy", "10 to 15")  # 11 on NOW's day
    assert first.concern_opening == ("Came to school with bruises on both arms and would not say…")
    assert first.overdue and first.due_by == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    assert (second.child_first_name, second.age_band, second.overdue) == (None, "Unborn", False)
    assert (third.age_band, third.due_by, third.overdue) == ("16 or over", None, False)


def test_waiting_longer_than_a_day_keeps_the_open_contacts_past_their_decision_time() -> None:
    uow = FakeUnitOfWork([contact(1), contact(2), contact(3, status="recorded_on_lcs")])
    overdue = ContactSelection(overdue=True)
    rows = use_cases.show_queue(uow, "manager", overdue, facts=FACTS, now=NOW).rows
    assert [r.summary.reference for r in rows] == ["PCL-2026-000001"]
    views = use_cases.list_contacts(uow, "manager", overdue, facts=FACTS, now=NOW)
    assert [v.reference for v in views] == ["PCL-2026-000001"]
    decided = ContactSelection(status="recorded_on_lcs", overdue=True)
    assert use_cases.show_queue(uow, "manager", decided, facts=FACTS, now=NOW).rows == []
    with pytest.raises(ValueError):
        use_cases.list_contacts(uow, "manager", overdue)
