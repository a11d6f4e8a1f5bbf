"""Fixtures every suite may share: one real stack per test session (per pytest-xdist worker
under `make test`), started the first time a test asks for it (tests/e2e and tests/browser both
use it; unit tests never start it)."""

from __future__ import annotations

import os
from collections import Counter
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """pytest 9 builds a test's id from its function's name and its parametrize ids only, so the
    tests schemathesis makes, one per API operation, all share their function's id
    (tests/e2e/test_openapi_schema.py). pytest-xdist hands tests to its workers by id and would
    run one of each: each gets its operation in its id, as under pytest 8."""
    for item in items:
        operation = getattr(item, "operation_label", None)
        if operation and item.id.params is None:
            item._id = item.id.with_params(operation)  # type: ignore[attr-defined]
    twice = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if twice:
        raise pytest.UsageError(f"tests sharing an id would run once under xdist: {sorted(twice)}")


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
