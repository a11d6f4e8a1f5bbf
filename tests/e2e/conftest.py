"""The end-to-end tests' own fixtures; the one real stack per session is in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import IN_HOURS
from tests.support.chat import WebChat
from tests.support.stack import ROOT, Stack

# The stack and its clock are shared with the browser tests: tests/conftest.py holds them
# (`outbound`, `stack`, `in_hours`). IN_HOURS stays importable from here.


@pytest.fixture
def chat(stack: Stack) -> Iterator[WebChat]:
    session = WebChat(stack.api_url)
    yield session
    session.close()


__all__ = ["IN_HOURS", "ROOT"]
