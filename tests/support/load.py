"""Professionals holding whole consultations at once, in threads, as the fault and scale-out
tests need them: each caller has its own cookie jar, resends a turn the stack could not
answer with the same message id (as the page's "Try again" does), and keeps every reply so a
test can say what went wrong."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine
from bot.adapters.db.migrations import upgrade_to_head
from bot.domain.contact import ContactView
from tests.support.consultations import REFERENCE, has_urgent_routes
from tests.support.services import (
    POSTGRES_HOST,
    POSTGRES_PORT,
    REDIS_HOST,
    REDIS_PORT,
    postgres_roles,
    require_postgres,
    require_redis,
    temporary_postgres_database,
)
from tests.support.stack import Stack

RETRY_SECONDS = 0.5


@dataclass
class Exchange:
    turn: str
    status: int  # 0: no answer at all (the API was down)
    text: str


@dataclass(eq=False)
class Caller(threading.Thread):
    """One conversation through `api_url` (or a load balancer in front of several APIs)."""

    api_url: str
    turns: list[str]
    deadline_seconds: float = 420.0
    exchanges: list[Exchange] = field(default_factory=list)
    done: int = 0  # turns answered with 200
    error: str = ""

    def __post_init__(self) -> None:
        threading.Thread.__init__(self, daemon=True)
        self.start_gate = threading.Event()

    # --- what the tests read -------------------------------------------------------------

    @property
    def reference(self) -> str | None:
        answered = [e.text for e in self.exchanges if e.status == 200]
        found = REFERENCE.search(answered[-1]) if answered else None
        return found.group(0) if found else None

    @property
    def unanswered(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.status != 200]

    @property
    def urgent_replies(self) -> int:
        """503s carrying 999 and the IRT's number: what a caller gets while a part is down."""
        return sum(1 for e in self.unanswered if e.status == 503 and has_urgent_routes(e.text))

    @property
    def refused(self) -> int:
        return sum(1 for e in self.unanswered if e.status == 0)

    @property
    def other_failures(self) -> list[Exchange]:
        """Anything but a 200, an urgent 503 or no answer (the API itself down)."""
        return [
            e
            for e in self.unanswered
            if e.status != 0 and not (e.status == 503 and has_urgent_routes(e.text))
        ]

    def transcript(self) -> str:
        return "\n".join(f"> {e.turn}\n< {e.status} {e.text[:300]}" for e in self.exchanges)

    # --- the conversation ----------------------------------------------------------------

    def run(self) -> None:
        self.start_gate.wait()
        deadline = time.monotonic() + self.deadline_seconds
        with httpx.Client(base_url=self.api_url, timeout=60) as client:
            for turn in self.turns:
                message_id = secrets.token_urlsafe(16)  # one per turn, however often sent
                while True:
                    if time.monotonic() > deadline:
                        self.error = f"gave up at {turn!r}"
                        return
                    exchange = say(client, turn, message_id)
                    self.exchanges.append(exchange)
                    if exchange.status == 200:
                        self.done += 1
                        break
                    time.sleep(RETRY_SECONDS)  # and say it again


def say(client: httpx.Client, turn: str, message_id: str) -> Exchange:
    """One web chat turn: the reply's status and its messages' text."""
    try:
        response = client.post("/chat/api/messages", json={"text": turn, "message_id": message_id})
    except httpx.TransportError as error:
        return Exchange(turn, 0, type(error).__name__)
    try:
        text = "\n".join(m.get("text") or "" for m in response.json()["messages"])
    except (ValueError, KeyError, TypeError, AttributeError):
        text = response.text
    return Exchange(turn, response.status_code, text)


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def read_contact(stack: Stack, reference: str) -> ContactView:
    engine = make_engine(stack.database_url or "")
    cipher = FieldCipher(stack.encryption_key, stack.blind_index_key)
    try:
        with Session(engine) as session:
            return ContactRepository(session, cipher, timezone="Europe/London").get(reference)
    finally:
        engine.dispose()


def production_env(tracker_url: str, user: str, now: str) -> dict[str, str]:
    """The production setup's environment for Rasa: PostgreSQL trackers, Redis locks."""
    url = make_url(tracker_url)
    return {
        "PCL_NOW": now,
        "PCL_RASA_ENDPOINTS": "endpoints.production.yml",
        "PCL_TRACKER_DB_HOST": url.host or POSTGRES_HOST,
        "PCL_TRACKER_DB_PORT": str(url.port or POSTGRES_PORT),
        "PCL_TRACKER_DB_NAME": url.database or "",
        "PCL_TRACKER_DB_USER": user,
        "PCL_TRACKER_DB_PASSWORD": url.password or "",
        "PCL_REDIS_HOST": REDIS_HOST,
        "PCL_REDIS_PORT": str(REDIS_PORT),
        "PCL_REDIS_DB": "0",
        "PCL_REDIS_PASSWORD": "",  # the test Redis asks for none
    }


@contextmanager
def production_databases(admin: str | None = None) -> Iterator[tuple[str, str, str]]:
    """(records URL, trackers URL, user): two new PostgreSQL databases, dropped afterwards, on
    the server of `admin` (a superuser's URL; the machine's shared server by default); skips
    (or fails under PCL_REQUIRE_SERVICES=1) without PostgreSQL and Redis. The records are
    migrated by their migration login, and the URL given is the runtime login's, as in
    production (scripts/postgres_roles.sql)."""
    admin = admin or require_postgres()
    require_redis()
    user = make_url(admin).username or "postgres"
    with (
        temporary_postgres_database(admin) as records,
        temporary_postgres_database(admin) as trackers,
        postgres_roles(admin, records) as (migrator, runtime),
    ):
        upgrade_to_head(migrator)  # empty: no keys needed
        yield runtime, trackers, user
