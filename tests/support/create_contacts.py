"""One worker of the reference concurrency test: a separate OS process, like an API or action
server, creating contacts one transaction each against a shared database.

    python -m tests.support.create_contacts DATABASE_URL COUNT WORKER RENDEZVOUS_DIR

Keys come from PCL_ENCRYPTION_KEYS and PCL_BLIND_INDEX_KEY. The worker writes `ready-WORKER`
in RENDEZVOUS_DIR, waits for `go` (so all workers start together), then prints one reference a
line.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine, make_session_factory
from bot.domain.contact import CallerDetails, ChildDetails, NewContact

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def main(database_url: str, count: int, worker: int, rendezvous: Path) -> None:
    cipher = FieldCipher(os.environ["PCL_ENCRYPTION_KEYS"], os.environ["PCL_BLIND_INDEX_KEY"])
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    with engine.connect():
        pass  # connect before the start, so the race is about references, not start-up
    (rendezvous / f"ready-{worker}").touch()
    deadline = time.monotonic() + 60
    while not (rendezvous / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal within 60 s")
        time.sleep(0.005)
    for number in range(count):
        new = NewContact(
            channel="sms" if number % 2 else "web",
            created_at=START + timedelta(seconds=worker * 1000 + number),
            caller=CallerDetails(name=f"Caller {worker}-{number}", role="Teacher"),
            child=ChildDetails(name=f"Child {worker}-{number}", age_years=number % 17),
            concern=f"Concern number {number} from worker {worker}",
            significant_harm=number % 10 == 0,
        )
        with sessions.begin() as session:
            reference = ContactRepository(session, cipher, timezone="Europe/London").create(new)
        print(reference, flush=True)
    engine.dispose()


if __name__ == "__main__":
    url, count, worker, rendezvous = sys.argv[1:5]
    main(url, int(count), int(worker), Path(rendezvous))
