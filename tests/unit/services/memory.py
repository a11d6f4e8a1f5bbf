"""A transaction over records kept in memory: each unit of work works on copies of the
committed records, which `commit()` keeps and leaving without it drops, as in the database."""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Any, Self


class InMemoryTransaction:
    def __init__(self, **records: Any) -> None:
        self.committed = records
        self.commits = 0

    def __enter__(self) -> Self:
        for name, value in self.committed.items():
            setattr(self, name, copy.deepcopy(value))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for name in self.committed:
            delattr(self, name)

    def commit(self) -> None:
        self.committed = {name: getattr(self, name) for name in self.committed}
        self.commits += 1
