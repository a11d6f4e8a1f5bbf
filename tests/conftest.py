"""Fixtures every suite may share: one real stack per test session, started the first time a
test asks for it (tests/e2e and tests/browser both use it; unit tests never start it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.outbound import OutboundRecorder
from tests.support.stack import Stack

# Settings default to production (PCL_ENV); the tests run as "test" unless one says otherwise.
os.environ.setdefault("PCL_ENV", "test")

# A Thursday at 11:00 in London, when the line is open. Tests that need another moment call
# `stack.set_clock(...)`, and the `in_hours` fixture puts it back.
IN_HOURS = "2026-11-26T11:00:00+00:00"


@pytest.fixture(scope="session")
def outbound() -> Iterator[OutboundRecorder]:
    with OutboundRecorder() as recorder:
        yield recorder


@pytest.fixture(scope="session")
def stack(outbound: OutboundRecorder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("stack")
    stack = Stack(data_dir=data_dir, proxy_url=outbound.url, extra_env={"PCL_NOW": IN_HOURS})
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()
    assert outbound.attempts == [], f"a process tried to leave the machine: {outbound.attempts}"


@pytest.fixture
def in_hours(stack: Stack) -> Stack:
    stack.set_clock(IN_HOURS)
    return stack
