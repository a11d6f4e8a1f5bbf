"""Rasa's SQL tracker store made to survive a database restart, and to fail loudly.

Rasa 3.6 pools connections without checking them, so after a PostgreSQL restart every pooled
connection is dead; and the agent wraps the store in FailSafeTrackerStore, which turns a failed
read into a new empty conversation and a failed save into memory only (and logs the error's
text, which can hold the SQL parameters: what the caller typed). A conversation must never be
lost silently: the turn fails instead, and the API gives the caller the urgent routes.
"""

from __future__ import annotations

from typing import Any, NoReturn

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ResilientSQLTrackerStore(SQLTrackerStore):
    """`type: rasa_ext.tracker_store.ResilientSQLTrackerStore` in endpoints.production.yml."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


class TrackerStoreUnavailable(RuntimeError):
    """The conversation store failed; the turn is refused rather than half-kept."""


def _refuse(error: Exception) -> NoReturn:
    raise TrackerStoreUnavailable(type(error).__name__) from None


def fail_loudly(store: Any) -> None:
    """Make the agent's FailSafeTrackerStore raise instead of falling back."""
    if hasattr(store, "_on_tracker_store_error"):
        store._on_tracker_store_error = _refuse
