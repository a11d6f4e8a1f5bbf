"""The contact record on a real database: SQLite and PostgreSQL (each test runs on both)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.models import AppendOnlyError, AuditEvent, Contact
from bot.domain.clock import FixedClock
from bot.domain.contact import (
    CallerDetails,
    ChildDetails,
    ContactNotFoundError,
    ContactRuleError,
    NewContact,
)
from tests.support.services import libpq_url

CHILD_NAME = "Tobias Wrenfield-Abara"
CONCERN = "Marker-7c1e: the child said an adult at home hurts him when he cries"
CALLER = CallerDetails(
    name="Priya Castellano",
    role="Designated safeguarding lead",
    agency="Little Eaton Primary",
    address="1 School Lane, Derby",
    phone="01332 000111",
    email="dsl@example.org",
)
CHILD = ChildDetails(
    name=CHILD_NAME,
    date_of_birth=date(2018, 5, 2),
    age_years=8,
    unborn=False,
    address="14 Larkspur Rise, Derby",
    setting="Little Eaton Primary",
    carers="Mother and her partner",
)
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CONSENT_REASON = "Mum's partner Marker-3d9a is the alleged abuser"


def contact(**overrides: object) -> NewContact:
    values: dict[str, object] = {
        "channel": "web",
        "created_at": NOON,
        "caller": CALLER,
        "child": CHILD,
        "concern": CONCERN,
        "family_aware": "no",
        "consent_reason": CONSENT_REASON,
        "threshold_answers": {"harm": "unsure", "needs": "some"},
        "suggested_level": "level_3",
        "level_reasons": ["harm_unsure"],
        "next_steps": ["call_irt"],
        "significant_harm": False,
        "immediate_danger": False,
        "harm_categories": [],
        "advice_given": "Call the IRT today and record your decision.",
    }
    values.update(overrides)
    return NewContact(**values)  # type: ignore[arg-type]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def repo(session: Session, cipher: FieldCipher, at: datetime = NOON) -> ContactRepository:
    return ContactRepository(session, cipher, clock=FixedClock(at), timezone="Europe/London")


def create(sessions: sessionmaker[Session], cipher: FieldCipher, **overrides: object) -> str:
    with sessions.begin() as session:
        return repo(session, cipher).create(contact(**overrides))


def test_a_contact_round_trips(sessions: sessionmaker[Session], cipher: FieldCipher) -> None:
    reference = create(sessions, cipher, significant_harm=True, harm_categories=["physical"])
    with sessions() as session:
        view = repo(session, cipher).get(reference)
    assert view.reference == reference
    assert view.created_at == NOON == view.updated_at
    assert view.caller == CALLER
    assert view.child == CHILD
    assert view.concern == CONCERN
    assert view.family_aware == "no"
    assert view.consent_reason == CONSENT_REASON
    assert view.advice_given == "Call the IRT today and record your decision."
    assert view.threshold_answers == {"harm": "unsure", "needs": "some"}
    assert (view.suggested_level, view.level_reasons, view.next_steps) == (
        "level_3",
        ["harm_unsure"],
        ["call_irt"],
    )
    assert (view.significant_harm, view.immediate_danger) == (True, False)
    assert view.harm_categories == ["physical"]
    assert view.status == "new"
    assert [(h.from_status, h.to_status, h.by) for h in view.history] == [
        (None, "new", "assistant")
    ]
    assert view.decisions == []


def test_an_unborn_child_without_a_name_round_trips(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    unborn = ChildDetails(unborn=True, carers="Expectant mother, 19")
    reference = create(sessions, cipher, child=unborn, caller=CallerDetails(role="Midwife"))
    with sessions() as session:
        view = repo(session, cipher).get(reference)
    assert view.child == unborn
    assert view.caller == CallerDetails(role="Midwife")


def test_an_unknown_reference_is_not_found(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    with sessions() as session, pytest.raises(ContactNotFoundError):
        repo(session, cipher).get("PCL-2026-999999")


def test_personal_fields_are_stored_as_tokens(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    reference = create(sessions, cipher)
    with sessions() as session:
        row = session.scalars(select(Contact).where(Contact.reference == reference)).one()
        assert row.child_name is not None and row.child_name.startswith("v2.")
        assert row.concern is not None and row.concern.startswith("v2.")
        assert row.child_unborn is not None  # even "false" is a token
        assert row.consent_reason is not None and row.consent_reason.startswith("v2.")
        assert "Marker-3d9a" not in row.consent_reason
        assert CHILD_NAME not in (row.child_name, row.concern, row.child_blind_index)


SECRETS = (
    CHILD_NAME,
    CONCERN,
    "Marker-7c1e",
    "Marker-3d9a",
    "Larkspur",
    "dsl@example.org",
    "01332 000111",
)
only_sqlite = pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)
only_postgresql = pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)


def database_files(database_url: str) -> dict[str, bytes]:
    database = Path(database_url.removeprefix("sqlite:///"))
    return {
        p.name: p.read_bytes()
        for p in database.parent.iterdir()
        if p.name.startswith(database.name)
    }


@only_sqlite
def test_the_child_name_and_concern_are_not_in_the_sqlite_files(
    database_url: str, sessions: sessionmaker[Session], cipher: FieldCipher, engine: Engine
) -> None:
    for _ in range(3):
        create(sessions, cipher)
    while_open = database_files(database_url)  # the -wal file holds the recent writes
    engine.dispose()  # the last connection's close checkpoints the WAL into the .db file
    after_close = database_files(database_url)
    assert any(name.endswith("-wal") for name in while_open)
    for files in (while_open, after_close):
        assert any(b"PCL-2026-000003" in raw for raw in files.values())  # the search works
        for name, raw in files.items():
            for secret in SECRETS:
                assert secret.encode() not in raw, f"{secret!r} in {name}"


@only_postgresql
def test_the_child_name_and_concern_are_not_in_a_pg_dump(
    database_url: str, sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    for _ in range(3):
        create(sessions, cipher)
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--dbname", libpq_url(database_url)],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    assert b"CREATE TABLE public.contacts" in dump and b"PCL-2026-000003" in dump
    for secret in SECRETS:
        assert secret.encode() not in dump, f"{secret!r} in the dump"


def test_references_are_sequential_per_year(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    first = [create(sessions, cipher) for _ in range(3)]
    assert first == ["PCL-2026-000001", "PCL-2026-000002", "PCL-2026-000003"]
    assert create(sessions, cipher, created_at=datetime(2027, 1, 2, tzinfo=UTC)) == (
        "PCL-2027-000001"
    )
    assert create(sessions, cipher) == "PCL-2026-000004"


def test_the_year_of_a_reference_is_the_year_in_london(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    # 23:30 on 31 December at UTC-1 is already 00:30 on 1 January in London.
    late = datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1)))
    assert create(sessions, cipher, created_at=late) == "PCL-2027-000001"
    # 00:30 on 1 January at UTC+2 is still 22:30 on 31 December in London.
    early = datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert create(sessions, cipher, created_at=early) == "PCL-2026-000001"


def test_a_rolled_back_contact_leaves_no_gap(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    assert create(sessions, cipher) == "PCL-2026-000001"
    with sessions() as session:
        assert repo(session, cipher).create(contact()) == "PCL-2026-000002"
        session.rollback()
    assert create(sessions, cipher) == "PCL-2026-000002"


def test_a_turn_run_twice_records_one_contact(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    with sessions.begin() as session:
        first = repo(session, cipher).create(contact(), origin="a" * 64)
        assert repo(session, cipher).create(contact(concern="later"), origin="a" * 64) == first
        other = repo(session, cipher).create(contact(), origin="b" * 64)
        unkeyed = [repo(session, cipher).create(contact()) for _ in range(2)]
    assert len({first, other, *unkeyed}) == 4
    with sessions() as session:
        assert repo(session, cipher).get(first).concern == contact().concern


def test_a_naive_time_is_refused(sessions: sessionmaker[Session], cipher: FieldCipher) -> None:
    with sessions() as session, pytest.raises(ContactRuleError):
        repo(session, cipher).create(contact(created_at=datetime(2026, 12, 1, 12, 0)))


def test_significant_harm_is_listed_first_then_oldest(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    hour = timedelta(hours=1)
    old = create(sessions, cipher, created_at=NOON)
    harm_late = create(sessions, cipher, created_at=NOON + 3 * hour, significant_harm=True)
    newer = create(sessions, cipher, created_at=NOON + 2 * hour)
    harm_early = create(sessions, cipher, created_at=NOON + hour, significant_harm=True)
    with sessions() as session:
        contacts = repo(session, cipher)
        listed = [s.reference for s in contacts.list()]
        assert listed == [harm_early, harm_late, old, newer]
        assert [s.reference for s in contacts.list(significant_harm=False)] == [old, newer]
        assert [s.reference for s in contacts.list(significant_harm=True)] == [
            harm_early,
            harm_late,
        ]
        assert [s.reference for s in contacts.list(limit=1)] == [harm_early]
        assert contacts.list(status="in_review") == []
        summary = contacts.list()[0]
    assert summary.significant_harm and summary.status == "new"
    assert CHILD_NAME not in repr(summary)


def test_contacts_from_a_flooding_source_are_listed_after_all_the_others(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    with sessions.begin() as session:
        contacts = repo(session, cipher)
        flood = contacts.create(contact(significant_harm=True), flooding_source=True)
        harm = contacts.create(contact(created_at=NOON + timedelta(hours=1), significant_harm=True))
        plain = contacts.create(contact(created_at=NOON + timedelta(hours=2)))
        late = contacts.create(contact(created_at=NOON + timedelta(hours=3)))
        contacts.mark_flooding_source(late)
    with sessions() as session:
        contacts = repo(session, cipher)
        assert [s.reference for s in contacts.list()] == [harm, plain, flood, late]
        assert [v.reference for v in contacts.views()] == [harm, plain, flood, late]
        assert [s.flooding_source for s in contacts.list()] == [False, False, True, True]
        assert contacts.get(flood).flooding_source and not contacts.get(harm).flooding_source


def test_update_completes_a_contact_but_never_lowers_an_alarm(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    early = contact(
        caller=CallerDetails(role="Teacher"),
        child=ChildDetails(),
        concern=None,
        significant_harm=True,
        harm_categories=["sexual"],
        suggested_level=None,
    )
    with sessions.begin() as session:
        reference = repo(session, cipher).create(early)
    later = NOON + timedelta(minutes=5)
    with sessions.begin() as session:
        repo(session, cipher, later).update(
            reference,
            caller=CALLER,
            child=CHILD,
            concern=CONCERN,
            immediate_danger=True,
            harm_categories=["physical", "sexual"],
            suggested_level="level_4",
        )
    with sessions() as session:
        contacts = repo(session, cipher)
        view = contacts.get(reference)
        assert (view.caller, view.child, view.concern) == (CALLER, CHILD, CONCERN)
        assert view.significant_harm and view.immediate_danger
        assert view.harm_categories == ["sexual", "physical"]
        assert (view.suggested_level, view.updated_at) == ("level_4", later)
        assert contacts.find_by_child(" tobias  WRENFIELD-abara", date(2018, 5, 2)) == [reference]
        contacts.update(reference, significant_harm=False, immediate_danger=False)
        view = contacts.get(reference)
        assert view.significant_harm and view.immediate_danger  # an alarm is never lowered
        with pytest.raises(TypeError, match="created_at"):
            contacts.update(reference, created_at=NOON)
        with pytest.raises(TypeError, match="status"):
            contacts.update(reference, status="no_further_action")


def test_a_completion_that_no_longer_knows_the_answers_never_blanks_them(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    """After a named child's conversation is saved its transcript is forgotten (rasa_ext.forget):
    a harm message then completes the contact knowing only the flags and the new words."""
    with sessions.begin() as session:
        reference = repo(session, cipher).create(contact())
    with sessions.begin() as session:
        repo(session, cipher).update(
            reference,
            caller=CallerDetails(),
            child=ChildDetails(),
            concern="he has bruises today",
            family_aware=None,
            threshold_answers={},
            level_reasons=[],
            significant_harm=True,
            harm_categories=["physical"],
        )
    with sessions() as session:
        view = repo(session, cipher).get(reference)
    assert (view.caller, view.child, view.family_aware) == (CALLER, CHILD, "no")
    assert view.concern == f"{CONCERN}\nhe has bruises today"  # the concern only grows
    assert view.threshold_answers and view.level_reasons == ["harm_unsure"]
    assert view.significant_harm and view.harm_categories == ["physical"]


def test_earlier_contacts_about_a_child_are_found_by_the_blind_index(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    first = create(sessions, cipher)
    second = create(sessions, cipher, created_at=NOON + timedelta(days=1))
    create(sessions, cipher, child=ChildDetails(name=CHILD_NAME, date_of_birth=date(2018, 5, 3)))
    create(sessions, cipher, child=ChildDetails(name=CHILD_NAME))  # no date of birth: no index
    with sessions() as session:
        contacts = repo(session, cipher)
        assert contacts.find_by_child(CHILD_NAME.upper(), date(2018, 5, 2)) == [first, second]
        assert contacts.find_by_child("Someone Else", date(2018, 5, 2)) == []


def test_decisions_are_recorded_with_rationale_and_status_history(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    reference = create(sessions, cipher)
    steps = [
        ("in_review", "Reading the contact", None),
        ("passed_to_irt", "Threshold met: share without consent (risk of harm)", None),
        ("recorded_on_lcs", "Recorded by the IRT", "LCS-55501"),
    ]
    for minutes, (status, rationale, lcs) in enumerate(steps, start=1):
        with sessions.begin() as session:
            repo(session, cipher, NOON + timedelta(minutes=minutes)).record_decision(
                reference, "manager.a", status, rationale, lcs_reference=lcs
            )
    with sessions() as session:
        contacts = repo(session, cipher)
        view = contacts.get(reference)
        assert view.status == "recorded_on_lcs" and view.lcs_reference == "LCS-55501"
        assert [(h.from_status, h.to_status) for h in view.history] == [
            (None, "new"),
            ("new", "in_review"),
            ("in_review", "passed_to_irt"),
            ("passed_to_irt", "recorded_on_lcs"),
        ]
        assert [(d.status, d.rationale, d.lcs_reference, d.by) for d in view.decisions] == [
            (s, r, lcs, "manager.a") for s, r, lcs in steps
        ]
        assert view.decisions[0].at == NOON + timedelta(minutes=1)
        assert [s.reference for s in contacts.list(status="recorded_on_lcs")] == [reference]


@pytest.mark.parametrize(
    ("status", "rationale", "lcs", "message"),
    [
        ("no_further_action", "", None, "rationale"),
        ("no_further_action", "   ", None, "rationale"),
        ("recorded_on_lcs", "On LCS", None, "LCS reference"),
        ("recorded_on_lcs", "On LCS", "  ", "LCS reference"),
        ("erased", "Wrong child", None, "erasure"),
        ("new", "Back to new", None, "not a decision"),
        ("closed", "Done", None, "unknown status"),
    ],
)
def test_a_decision_without_what_it_needs_is_refused(
    sessions: sessionmaker[Session],
    cipher: FieldCipher,
    status: str,
    rationale: str,
    lcs: str | None,
    message: str,
) -> None:
    reference = create(sessions, cipher)
    with sessions() as session, pytest.raises(ContactRuleError, match=message):
        repo(session, cipher).record_decision(reference, "manager.a", status, rationale, lcs)


def test_erasure_blanks_everything_personal_and_keeps_a_tombstone(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    reference = create(sessions, cipher, significant_harm=True, harm_categories=["physical"])
    kept = create(sessions, cipher)
    with sessions.begin() as session:
        repo(session, cipher).record_decision(
            reference, "manager.a", "recorded_on_lcs", f"About {CHILD_NAME}", "LCS-1"
        )
    erased_at = NOON + timedelta(days=2)
    with sessions.begin() as session:
        repo(session, cipher, erased_at).erase(
            reference, "manager.b", "Recorded for the wrong child"
        )
    with sessions() as session:
        contacts = repo(session, cipher)
        view = contacts.get(reference)
        assert (view.status, view.erased_by, view.erased_at) == ("erased", "manager.b", erased_at)
        assert view.erasure_rationale == "Recorded for the wrong child"
        assert view.caller == CallerDetails()
        assert view.child == ChildDetails()
        assert (view.concern, view.family_aware, view.consent_reason) == (None, None, None)
        assert (view.advice_given, view.lcs_reference) == (None, None)
        assert (view.threshold_answers, view.level_reasons, view.harm_categories) == ({}, [], [])
        assert [h.to_status for h in view.history] == ["new", "recorded_on_lcs", "erased"]
        assert [h.rationale for h in view.history] == [None, None, "Recorded for the wrong child"]
        assert [(d.status, d.rationale, d.lcs_reference) for d in view.decisions] == [
            ("recorded_on_lcs", None, None)
        ]
        assert contacts.find_by_child(CHILD_NAME, CHILD.date_of_birth or NOON.date()) == [kept]
        assert [s.reference for s in contacts.list()] == [kept]
        assert [s.reference for s in contacts.list(status="erased")] == [reference]
        row = session.scalars(select(Contact).where(Contact.reference == reference)).one()
        assert row.child_blind_index is None and row.child_name is None
        for action in (
            lambda: contacts.erase(reference, "manager.b", "again"),
            lambda: contacts.update(reference, concern="new text"),
            lambda: contacts.record_decision(reference, "manager.b", "in_review", "look"),
        ):
            with pytest.raises(ContactRuleError, match="erased"):
                action()


def test_erasure_needs_a_rationale(sessions: sessionmaker[Session], cipher: FieldCipher) -> None:
    reference = create(sessions, cipher)
    with sessions() as session, pytest.raises(ContactRuleError, match="rationale"):
        repo(session, cipher).erase(reference, "manager.b", " ")


def test_a_contact_cannot_be_deleted_through_the_application(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    reference = create(sessions, cipher)
    with sessions() as session:
        row = session.scalars(select(Contact).where(Contact.reference == reference)).one()
        session.delete(row)
        with pytest.raises(AppendOnlyError):
            session.flush()
    with sessions() as session, pytest.raises(AppendOnlyError):
        session.execute(delete(Contact))


def test_audit_events_are_recorded(sessions: sessionmaker[Session], cipher: FieldCipher) -> None:
    reference = create(sessions, cipher)
    with sessions.begin() as session:
        contacts = repo(session, cipher)
        contacts.add_audit("irt.worker", "view", reference)
        contacts.add_audit("manager.a", "export", detail={"count": 3, "format": "csv"})
    with sessions() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(r.actor, r.action, r.reference, r.detail, r.at) for r in rows] == [
            ("irt.worker", "view", reference, None, NOON),
            ("manager.a", "export", None, {"count": 3, "format": "csv"}, NOON),
        ]
        with pytest.raises(ContactRuleError):
            repo(session, cipher).add_audit("x", "view", detail={"nested": {"a": 1}})  # type: ignore[dict-item]


def test_audit_events_cannot_be_changed_or_deleted_through_the_application(
    sessions: sessionmaker[Session], cipher: FieldCipher
) -> None:
    with sessions.begin() as session:
        repo(session, cipher).add_audit("irt.worker", "view", "PCL-2026-000001")
    with sessions() as session:
        event = session.scalars(select(AuditEvent)).one()
        event.actor = "someone.else"
        with pytest.raises(AppendOnlyError):
            session.flush()
    with sessions() as session:
        session.delete(session.scalars(select(AuditEvent)).one())
        with pytest.raises(AppendOnlyError):
            session.flush()
    with sessions() as session:
        with pytest.raises(AppendOnlyError):
            session.execute(update(AuditEvent).values(actor="someone.else"))
        with pytest.raises(AppendOnlyError):
            session.execute(delete(AuditEvent))
    with sessions() as session:
        assert session.scalars(select(AuditEvent.actor)).all() == ["irt.worker"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'someone.else'",
        "DELETE FROM audit_events",
    ],
)
def test_the_database_itself_refuses_to_rewrite_the_audit_trail(
    sessions: sessionmaker[Session], cipher: FieldCipher, statement: str
) -> None:
    with sessions.begin() as session:
        repo(session, cipher).add_audit("irt.worker", "view", "PCL-2026-000001")
    with sessions() as session, pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
    with sessions() as session:
        assert session.scalars(select(AuditEvent.actor)).all() == ["irt.worker"]


@only_postgresql
def test_postgresql_refuses_to_truncate_the_audit_trail(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("TRUNCATE audit_events"))
