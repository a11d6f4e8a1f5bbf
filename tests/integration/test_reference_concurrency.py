"""Acceptance: several processes (two API processes, two action servers) creating contacts at
once end with every contact stored, unique gap-free references and no error."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from bot.adapters.crypto import generate_key
from bot.adapters.db.database import make_engine
from bot.adapters.db.models import Contact, ReferenceCounter
from tests.support.stack import ROOT

PROCESSES = 4
EACH = 50


def test_concurrent_processes_get_unique_gap_free_references(
    database_url: str, tmp_path: Path
) -> None:
    rendezvous = tmp_path / "rendezvous"
    rendezvous.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCL_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PCL_ENCRYPTION_KEYS=generate_key(),
        PCL_BLIND_INDEX_KEY=generate_key(),
    )
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.create_contacts",
                database_url,
                str(EACH),
                str(worker),
                str(rendezvous),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(PROCESSES)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(list(rendezvous.glob("ready-*"))) < PROCESSES:
            assert time.monotonic() < deadline, "the workers did not start"
            assert all(w.poll() is None for w in workers), [w.communicate() for w in workers]
            time.sleep(0.01)
        started = time.monotonic()
        (rendezvous / "go").touch()
        outputs = [w.communicate(timeout=300) for w in workers]
        elapsed = time.monotonic() - started
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    backend = database_url.split(":", 1)[0]
    print(f"\n{backend}: {PROCESSES}x{EACH} contacts in {elapsed:.2f} s")

    for w, (_out, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, err
        assert err.strip() == "", err
    printed = [line for out, _err in outputs for line in out.split()]
    expected = [f"PCL-2026-{n:06d}" for n in range(1, PROCESSES * EACH + 1)]
    assert sorted(printed) == expected  # every process got its own, none was given twice
    assert all(len(out.split()) == EACH for out, _err in outputs)

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Contact.reference, Contact.sequence)).all()
            counter = connection.scalar(select(ReferenceCounter.last_sequence))
            count = connection.scalar(select(func.count()).select_from(Contact))
    finally:
        engine.dispose()
    assert count == PROCESSES * EACH
    assert sorted(r.reference for r in rows) == expected
    assert sorted(r.sequence for r in rows) == list(range(1, PROCESSES * EACH + 1))
    assert counter == PROCESSES * EACH
