"""The IRT alerts' outbox on a SQLite database: an alert is claimed by one sender at a time,
retried with exponential back-off after a failed send, sent again when not delivered within two
minutes (or when its sender died mid-send), and left alone once Twilio reports it delivered."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.crypto import FieldCipher, generate_key
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.models import Base
from bot.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from bot.adapters.service_file import load_facts
from bot.domain.alert_cap import AlertCap
from bot.domain.clock import FixedClock
from bot.domain.contact import NewContact
from bot.domain.irt_alert import AlertState, retry_delay
from bot.services.alert_outbox import AlertNotSentError, deliver_due, record_delivery_report
from bot.services.records import record_contact

START = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
ZONE = "Europe/London"


class Now:
    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class Gateway:
    """Twilio as the sender sees it: fails the first `failures` sends, then gives SIDs."""

    def __init__(self, failures: int = 0, pause: float = 0) -> None:
        self.failures, self.pause = failures, pause
        self.sent: list[tuple[str, str]] = []
        self.tries = 0
        self._lock = threading.Lock()

    def send(self, reference: str, body: str) -> str:
        time.sleep(self.pause)
        with self._lock:
            self.tries += 1
            if self.tries <= self.failures:
                raise AlertNotSentError("http-500")
            self.sent.append((reference, body))
            return f"SM{len(self.sent):032d}"


@pytest.fixture
def now() -> Now:
    return Now()


@pytest.fixture
def uow(tmp_path: Path, now: Now) -> Iterator[SqlAlchemyUnitOfWork]:
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    Base.metadata.create_all(engine)
    cipher = FieldCipher(generate_key(), generate_key())
    unit = SqlAlchemyUnitOfWork(
        make_session_factory(engine), cipher, FixedClock(START), ZONE, alert_clock=now
    )
    yield unit
    engine.dispose()


def flag(uow: SqlAlchemyUnitOfWork, now: Now, origin: str = "turn-1") -> str:
    """A flagged contact committed with its alert."""
    return record_contact(
        uow,
        NewContact(channel="web", created_at=START, significant_harm=True),
        reference=None,
        origin=origin,
        alert=lambda reference: f"Significant harm contact {reference}",
    )


def state(uow: SqlAlchemyUnitOfWork, reference: str) -> AlertState:
    with uow:
        alert = uow.contacts.get(reference).alert
    assert alert is not None
    return alert


def test_the_back_off_doubles_from_five_seconds_to_at_most_two_minutes() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 9)]
    assert delays == [5, 10, 20, 40, 80, 120, 120, 120]


def test_a_due_alert_is_sent_once_and_waits_for_its_delivery_report(
    uow: SqlAlchemyUnitOfWork, now: Now
) -> None:
    reference = flag(uow, now)
    gateway = Gateway()
    assert deliver_due(lambda: uow, gateway, now) == 1
    assert gateway.sent == [(reference, f"Significant harm contact {reference}")]
    assert deliver_due(lambda: uow, gateway, now) == 0  # not due again yet
    sent = state(uow, reference)
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert record_delivery_report(lambda: uow, now, "SM" + "0" * 31 + "1", "delivered")
    now.advance(600)
    assert deliver_due(lambda: uow, gateway, now) == 0  # delivered: never sent again
    delivered = state(uow, reference)
    assert delivered.status == "delivered"
    assert not delivered.late(now())


def test_a_failed_send_is_retried_with_back_off(uow: SqlAlchemyUnitOfWork, now: Now) -> None:
    reference = flag(uow, now)
    gateway = Gateway(failures=3)
    for waited in (0, 5, 10):  # fails at once, after 5 s, after 10 s more
        now.advance(waited - 0.5)
        assert deliver_due(lambda: uow, gateway, now) == 0  # not yet due
        now.advance(0.5)
        assert deliver_due(lambda: uow, gateway, now) == 0  # due, and fails
        failed = state(uow, reference)
        assert (failed.status, failed.last_error) == ("pending", "http-500")
    now.advance(19.5)
    assert deliver_due(lambda: uow, gateway, now) == 0
    now.advance(0.5)
    assert deliver_due(lambda: uow, gateway, now) == 1  # the fourth try, 20 s after the third
    assert len(gateway.sent) == 1
    assert state(uow, reference).attempts == 4


def test_an_alert_not_delivered_within_two_minutes_is_sent_again_and_late(
    uow: SqlAlchemyUnitOfWork, now: Now
) -> None:
    reference = flag(uow, now)
    gateway = Gateway()
    deliver_due(lambda: uow, gateway, now)
    now.advance(119)
    assert deliver_due(lambda: uow, gateway, now) == 0
    assert not state(uow, reference).late(now())
    now.advance(1)
    assert state(uow, reference).late(now())  # red on the IRT's queue
    assert deliver_due(lambda: uow, gateway, now) == 1  # sent again, same reference
    assert [r for r, _ in gateway.sent] == [reference, reference]
    # the repeat's delivery (the latest SID) ends it
    assert record_delivery_report(lambda: uow, now, "SM" + "0" * 31 + "2", "delivered")
    assert state(uow, reference).status == "delivered"


def test_an_undelivered_report_has_it_sent_again_soon(uow: SqlAlchemyUnitOfWork, now: Now) -> None:
    reference = flag(uow, now)
    gateway = Gateway()
    deliver_due(lambda: uow, gateway, now)
    assert record_delivery_report(lambda: uow, now, "SM" + "0" * 31 + "1", "undelivered", "30003")
    failed = state(uow, reference)
    assert (failed.status, failed.last_error) == ("failed", "twilio-30003")
    now.advance(5)
    assert deliver_due(lambda: uow, gateway, now) == 1
    assert len(gateway.sent) == 2


def test_reports_of_other_messages_or_other_statuses_change_nothing(
    uow: SqlAlchemyUnitOfWork, now: Now
) -> None:
    reference = flag(uow, now)
    deliver_due(lambda: uow, Gateway(), now)
    assert not record_delivery_report(lambda: uow, now, "SM" + "9" * 32, "delivered")
    assert not record_delivery_report(lambda: uow, now, "SM" + "0" * 31 + "1", "sent")
    assert state(uow, reference).status == "sent"


def test_an_alert_claimed_by_a_sender_that_died_is_sent_after_the_lease(
    uow: SqlAlchemyUnitOfWork, now: Now
) -> None:
    reference = flag(uow, now)
    with uow:  # a sender claims it, then is killed before sending
        due = uow.alerts.due(now())
        assert uow.alerts.claim(due[0].id, now(), now() + timedelta(seconds=30))
        uow.commit()
    gateway = Gateway()
    now.advance(29)
    assert deliver_due(lambda: uow, gateway, now) == 0  # still the dead sender's
    now.advance(1)
    assert deliver_due(lambda: uow, gateway, now) == 1
    assert state(uow, reference).attempts == 2


def test_only_one_of_two_claims_of_the_same_alert_wins(uow: SqlAlchemyUnitOfWork, now: Now) -> None:
    flag(uow, now)
    with uow:
        alert_id = uow.alerts.due(now())[0].id
    wins = []
    for _ in range(2):
        with uow:
            wins.append(uow.alerts.claim(alert_id, now(), now() + timedelta(seconds=30)))
            uow.commit()
    assert wins == [True, False]


def test_two_senders_at_once_send_each_alert_once(
    tmp_path: Path, uow: SqlAlchemyUnitOfWork, now: Now
) -> None:
    references = [flag(uow, now, origin=f"turn-{n}") for n in range(5)]
    gateway = Gateway(pause=0.05)
    # Each sender its own unit of work (its own sessions), as two processes would have.
    senders = [
        threading.Thread(
            target=deliver_due,
            args=(
                lambda: SqlAlchemyUnitOfWork(
                    uow._sessions, uow._cipher, FixedClock(START), ZONE, alert_clock=now
                ),
                gateway,
                now,
            ),
        )
        for _ in range(2)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sorted(r for r, _ in gateway.sent) == sorted(references)


# --- the cap (bot.domain.alert_cap) ----------------------------------------------------------

CAP = AlertCap(3, timedelta(minutes=10))


def capped(uow: SqlAlchemyUnitOfWork, gateway: Gateway, now: Now) -> int:
    return deliver_due(lambda: uow, gateway, now, cap=CAP, facts=load_facts())


def test_alerts_beyond_the_cap_are_held_and_told_of_in_one_summary_when_the_window_has_room(
    uow: SqlAlchemyUnitOfWork, now: Now
) -> None:
    references = [flag(uow, now, origin=f"turn-{n}") for n in range(7)]
    gateway = Gateway()
    assert capped(uow, gateway, now) == 3
    assert [r for r, _ in gateway.sent] == references[:3]
    for n in (1, 2, 3):
        assert record_delivery_report(lambda: uow, now, f"SM{n:032d}", "delivered")
    assert {state(uow, r).status for r in references[3:]} == {"held"}
    now.advance(60)
    late = flag(uow, now, origin="turn-late")  # joins the held ones
    assert capped(uow, gateway, now) == 0
    assert state(uow, late).status == "held"

    now.advance(9 * 60)  # the first sends leave the window
    assert capped(uow, gateway, now) == 1  # one summary, then no room for anything else
    summary_reference, summary = gateway.sent[-1]
    assert summary_reference.startswith("summary-")
    assert "and 5 more significant-harm contacts flagged since 11:00" in summary
    assert {state(uow, r).status for r in [*references[3:], late]} == {"summed"}

    assert record_delivery_report(lambda: uow, now, f"SM{len(gateway.sent):032d}", "delivered")
    told = state(uow, late)
    assert (told.status, told.summed) == ("delivered", True)
    now.advance(600)
    assert capped(uow, gateway, now) == 0  # nothing is sent twice


def test_a_send_twilio_refused_takes_no_place_in_the_window(
    uow: SqlAlchemyUnitOfWork, now: Now
) -> None:
    references = [flag(uow, now, origin=f"turn-{n}") for n in range(3)]
    gateway = Gateway(failures=2)
    assert capped(uow, gateway, now) == 1  # two refused, one accepted
    now.advance(5)
    assert capped(uow, gateway, now) == 2  # the refused ones are retried within the cap
    assert sorted(r for r, _ in gateway.sent) == sorted(references)


def test_an_alert_sent_before_waits_for_room_rather_than_being_held(
    uow: SqlAlchemyUnitOfWork, now: Now
) -> None:
    first = flag(uow, now, origin="turn-0")
    gateway = Gateway()
    assert capped(uow, gateway, now) == 1
    now.advance(1)
    for n in range(1, 4):
        flag(uow, now, origin=f"turn-{n}")
    assert capped(uow, gateway, now) == 2  # the window is full now; turn-3 is held
    for n in (2, 3):  # delivered: only the first is sent again
        assert record_delivery_report(lambda: uow, now, f"SM{n:032d}", "delivered")
    now.advance(120)  # the first alert was not delivered in two minutes: due again, no room
    assert capped(uow, gateway, now) == 0
    assert state(uow, first).status == "sent"
    now.advance(8 * 60)  # the window has room: the summary first, then the resend
    assert capped(uow, gateway, now) == 2
    assert gateway.sent[-2][0].startswith("summary-") and gateway.sent[-1][0] == first


def test_two_senders_at_once_never_pass_the_cap(
    tmp_path: Path, uow: SqlAlchemyUnitOfWork, now: Now
) -> None:
    for n in range(8):
        flag(uow, now, origin=f"turn-{n}")
    gateway = Gateway(pause=0.05)

    def sender() -> None:
        deliver_due(
            lambda: SqlAlchemyUnitOfWork(
                uow._sessions, uow._cipher, FixedClock(START), ZONE, alert_clock=now
            ),
            gateway,
            now,
            cap=CAP,
            facts=load_facts(),
        )

    senders = [threading.Thread(target=sender) for _ in range(3)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    assert len(gateway.sent) == 3
