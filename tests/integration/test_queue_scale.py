"""Issue 18, acceptance 2: the queue page (`GET /irt`, through the app, with its triage columns
decrypted) runs the same number of SQL statements for 500 contacts as for 10, and takes at
most 3 times as long. One run measures both and prints the figures (docs/irt-review.md
quotes them). The queue comes in pages of 50 (GOV.UK pagination), with the count of all."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from bot.adapters.db.alerts import AlertRepository
from bot.domain.contact import ChildDetails, NewContact
from tests.support.irt import IrtApp, irt_app

RUNS = 15
MAX_RATIO = 3.0


@pytest.fixture
def two_queues(tmp_path: Path) -> Iterator[tuple[IrtApp, IrtApp]]:
    """Two apps, each on a database of its own: 10 contacts in one, 500 in the other, so
    that one run can time them in turns (a busy machine slows both alike)."""
    for name in ("few", "many"):
        (tmp_path / name).mkdir()
    with irt_app(tmp_path / "few") as few, irt_app(tmp_path / "many") as many:
        for app, count in ((few, 10), (many, 500)):
            app.add_user("manager", "irt_manager")
            add_contacts(app, count)
        yield few, many


def add_contacts(irt: IrtApp, count: int) -> None:
    """Contacts as the queue meets them: some flagged with their alert, some decided, some
    overdue, each with a named child and a concern to decrypt."""
    now = datetime.now(UTC)
    with irt.sessions.begin() as session:
        contacts, alerts = irt.repository(session), AlertRepository(session)
        for n in range(count):
            reference = contacts.create(
                NewContact(
                    channel="sms" if n % 4 else "web",
                    created_at=now - timedelta(hours=n),
                    child=ChildDetails(
                        name=f"Child {n} Surname", date_of_birth=date(2012 + n % 12, 3, 1)
                    ),
                    concern=f"Concern number {n}: bruises seen at school this week, and the "
                    "child said they were scared to go home after the weekend",
                    significant_harm=n % 3 == 0,
                    harm_categories=["injury", "disclosure"] if n % 3 == 0 else [],
                    suggested_level="3",
                )
            )
            if n % 3 == 0:
                alerts.add(reference, f"alert {reference}")
            if n % 2:
                contacts.record_decision(reference, "manager", "in_review", "Looking at it")


def statements(irt: IrtApp, client: TestClient) -> int:
    """How many SQL statements one queue page runs, counted on the app's engine."""
    engine = irt.client.app.state.services.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(QUEUE).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def seconds(client: TestClient) -> float:
    started = time.perf_counter()
    response = client.get(QUEUE)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return elapsed


QUEUE = "/irt?status=all"


def test_the_queue_page_with_500_contacts_takes_at_most_3_times_as_long_as_with_10(
    two_queues: tuple[IrtApp, IrtApp], capsys: pytest.CaptureFixture[str]
) -> None:
    few, many = two_queues
    clients = [app.page_client("manager")[0] for app in (few, many)]
    for client in clients * 2:  # warm: templates compiled, connections open
        seconds(client)
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(RUNS):
        for client, found in zip(clients, timings, strict=True):
            found.append(seconds(client))
    counts = [statements(app, client) for app, client in zip(two_queues, clients, strict=True)]
    medians = [statistics.median(found) for found in timings]
    ratio = medians[1] / medians[0]
    with capsys.disabled():
        print(
            f"\nqueue page, median of {RUNS}: 10 contacts {medians[0] * 1000:.0f} ms, "
            f"{counts[0]} statements; 500 contacts {medians[1] * 1000:.0f} ms, "
            f"{counts[1]} statements; ratio {ratio:.2f}"
        )
    assert counts[0] == counts[1], "the statements grew with the contacts"
    assert ratio <= MAX_RATIO, f"500 contacts took {ratio:.2f} times as long as 10"
    html = clients[1].get(QUEUE).text
    assert "Contacts 1 to 50 of 500" in html and html.count("data-reference=") == 50
    last = clients[1].get(QUEUE + "&page=10").text
    assert "Contacts 451 to 500 of 500" in last and last.count("data-reference=") == 50
