"""The actions run as functions, as the action server runs them: a tracker from a dict, a
`CollectingDispatcher` and the real domain. The services they use are the real ones, given to
the actions (no environment): fresh keys, a fixed clock and a SQLite database in tmp_path,
copied from a migrated template only when a test first uses it. Nothing here touches the app's
own database."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.services import Services, build_services, get_services, use_services
from bot.adapters.crypto import generate_key
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.migrations import upgrade_to_head
from bot.adapters.db.models import Contact
from bot.adapters.db.statistics import StatisticsRepository
from bot.adapters.settings import PROJECT_ROOT, Settings, given_settings
from bot.domain.clock import make_clock
from bot.domain.contact import ContactView
from bot.domain.statistics import StatEvent
from tests.support.aio import run_sync

DOMAIN: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())

# Moments in London (GMT in November) for the fixed clock.
OPEN = "2026-11-26T11:00:00+00:00"  # a Thursday: the line and the IRT are open
CLOSED_IRT_OPEN = "2026-11-26T09:30:00+00:00"  # before the line opens; the IRT is working
OUT_OF_HOURS = "2026-11-28T11:00:00+00:00"  # a Saturday: urgent concerns go to the Care Line

Result = tuple[list[dict[str, Any]], list[dict[str, Any]]]


class MigratedTemplate:
    """An empty database at the head revision, migrated once (when a test first needs one)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "pcl.db"

    def copy_to(self, path: Path) -> None:
        if not self.path.exists():
            upgrade_to_head(f"sqlite:///{self.path}")
        shutil.copyfile(self.path, path)


class LazyDatabase:
    """Stands in for a sessionmaker: the test's database is made on first use, so that the
    many actions that never touch it cost no copy."""

    def __init__(self, template: MigratedTemplate, path: Path) -> None:
        self._template = template
        self._path = path
        self._sessions: sessionmaker[Session] | None = None

    def _made(self) -> sessionmaker[Session]:
        if self._sessions is None:
            self._template.copy_to(self._path)
            self._sessions = make_session_factory(make_engine(f"sqlite:///{self._path}"))
        return self._sessions

    def begin(self) -> Any:
        return self._made().begin()

    def __call__(self) -> Session:
        return self._made()()

    def dispose(self) -> None:
        if self._sessions is not None:
            self._sessions.kw["bind"].dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> MigratedTemplate:
    return MigratedTemplate(tmp_path_factory.mktemp("template"))


def settings_for_test(tmp_path: Path, **values: Any) -> Settings:
    """The action server's settings for a test, given rather than read from the environment."""
    return given_settings(
        env="test",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'pcl.db'}",
        rasa_token="test-rasa-token",
        hmac_key="test-hmac-key",
        encryption_keys=generate_key(),
        blind_index_key=generate_key(),
        now=OPEN,
        **values,
    )


@pytest.fixture(autouse=True)
def services(tmp_path: Path, migrated_template: MigratedTemplate) -> Iterator[Services]:
    """Real services for the actions, with the line open."""
    database = LazyDatabase(migrated_template, tmp_path / "pcl.db")
    services = build_services(settings_for_test(tmp_path), sessions=database)  # type: ignore[arg-type]
    use_services(services)
    yield services
    use_services(None)
    database.dispose()


def reconfigure(**values: Any) -> Services:
    """The same services and database with other settings, e.g. `reconfigure(now=...)`."""
    current = get_services()
    settings = given_settings(**{**current.settings.model_dump(), **values})
    moved = replace(current, settings=settings, clock=make_clock(settings.now))
    use_services(moved)
    return moved


@pytest.fixture
def at() -> Callable[[str], Services]:
    """Moves the fixed clock: `at(OUT_OF_HOURS)`."""

    def move(moment: str) -> Services:
        return reconfigure(now=moment)

    return move


def tracker(
    slots: dict[str, Any] | None = None,
    *,
    intent: str | None = None,
    text: str = "",
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    parse: dict[str, Any] | None = None,
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
                **(parse or {}),
            },
            "events": events or [],
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def certain(immediate_danger: bool = False) -> dict[str, Any]:
    """Rasa's parse data when a reviewed high-precision phrase matched (rasa_ext/harm_net)."""
    return {"harm_signal": {"certain": True, "immediate_danger": immediate_danger}}


def uncertain(immediate_danger: bool = False) -> dict[str, Any]:
    """Rasa's parse data when only the classifier read harm: the caller confirms it."""
    return {"harm_signal": {"certain": False, "immediate_danger": immediate_danger}}


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
        return StatisticsRepository(session, timezone=services.facts.timezone).count(event)
