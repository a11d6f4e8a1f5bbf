"""The actions run as functions, as the action server runs them: a tracker from a dict, a
`CollectingDispatcher` and the real domain. The services they use are the real ones, built from
the environment as in production: a SQLite database migrated in tmp_path, fresh keys and a fixed
clock. Nothing here touches the app's own database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.services import Services, get_services
from bot.adapters.crypto import generate_key
from bot.adapters.db.migrations import upgrade_to_head
from bot.adapters.db.models import Contact
from bot.adapters.db.statistics import StatisticsRepository
from bot.adapters.settings import PROJECT_ROOT, get_settings
from bot.domain.contact import ContactView
from bot.domain.statistics import StatEvent
from tests.support.aio import run_sync

DOMAIN: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())

# Moments in London (GMT in November) for the fixed clock.
OPEN = "2026-11-26T11:00:00+00:00"  # a Thursday: the line and the IRT are open
CLOSED_IRT_OPEN = "2026-11-26T09:30:00+00:00"  # before the line opens; the IRT is working
OUT_OF_HOURS = "2026-11-28T11:00:00+00:00"  # a Saturday: urgent concerns go to the Care Line

Result = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _forget_services() -> None:
    """Clears the cached settings and services, closing the old database connections."""
    if get_services.cache_info().currsize:
        get_services().sessions.kw["bind"].dispose()
    get_services.cache_clear()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An empty database at the head revision, migrated once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "pcl.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path.read_bytes()


@pytest.fixture(autouse=True)
def services(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrated_database: bytes
) -> Iterator[Services]:
    """Real services for the actions, from the environment, with the line open."""
    database = tmp_path / "pcl.db"
    database.write_bytes(migrated_database)
    for name in os.environ:
        if name.startswith("PCL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PCL_ENV", "test")
    monkeypatch.setenv("PCL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PCL_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("PCL_RASA_TOKEN", "test-rasa-token")
    monkeypatch.setenv("PCL_HMAC_KEY", "test-hmac-key")
    monkeypatch.setenv("PCL_ENCRYPTION_KEYS", generate_key())
    monkeypatch.setenv("PCL_BLIND_INDEX_KEY", generate_key())
    monkeypatch.setenv("PCL_NOW", OPEN)
    _forget_services()
    yield get_services()
    _forget_services()


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Services]:
    """Moves the fixed clock: `at(OUT_OF_HOURS)`; the services are built again."""

    def move(moment: str) -> Services:
        monkeypatch.setenv("PCL_NOW", moment)
        _forget_services()
        return get_services()

    return move


def tracker(
    slots: dict[str, Any] | None = None,
    *,
    intent: str | None = None,
    text: str = "",
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker as the action server receives it: every domain slot, the latest message."""
    values: dict[str, Any] = dict.fromkeys(DOMAIN["slots"])
    values.update(slots or {})
    return Tracker.from_dict(
        {
            "sender_id": "a-test-conversation",
            "slots": values,
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 1.0} if intent else {},
                "entities": [],
            },
            "events": events or [],
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def run(action: Action, on: Tracker) -> Result:
    """Runs an action as the action server does; returns its events and its messages."""
    dispatcher = CollectingDispatcher()
    events = run_sync(action.run(dispatcher, on, DOMAIN))
    return events, dispatcher.messages


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [message["text"] for message in messages]


def contact_count() -> int:
    with get_services().sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(Contact)) or 0


def contact(reference: str) -> ContactView:
    services = get_services()
    with services.sessions.begin() as session:
        return services.contacts(session).get(reference)


def stat_count(event: StatEvent) -> int:
    services = get_services()
    with services.sessions.begin() as session:
        return StatisticsRepository(session, services.facts.timezone).count(event)
