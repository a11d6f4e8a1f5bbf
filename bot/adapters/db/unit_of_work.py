"""The SQLAlchemy units of work (bot.services.unit_of_work): one session, one transaction, the
repositories bound to it. `SqlAlchemyUnitOfWork` for the records and the staff accounts,
`SqlAlchemyTurnsUnitOfWork` for both channels' answered turns and the SMS choices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.alerts import AlertRepository, wall_clock
from bot.adapters.db.answered_turns import AnsweredTurnRepository
from bot.adapters.db.audit import AuditTrail
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.reports import StatisticsReports
from bot.adapters.db.sms import SmsRepository
from bot.adapters.db.staff import StaffRepository
from bot.adapters.db.statistics import StatisticsRepository
from bot.domain.clock import Clock
from bot.services.unit_of_work import StoreUnavailable


class _OneSession:
    """One session, rolled back and closed on leaving: a use case that fails half-way, or does
    not commit, leaves nothing."""

    session: Session

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()


class SqlAlchemyUnitOfWork(_OneSession):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        cipher: FieldCipher,
        clock: Clock,
        timezone: str,
        alert_clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self._sessions = sessions
        self._alert_clock = alert_clock  # the outbox's: the wall clock, never a fixed one
        self._cipher = cipher
        self._clock = clock
        self._timezone = timezone

    def __enter__(self) -> Self:
        self.session = self._sessions()
        self.contacts = ContactRepository(
            self.session, self._cipher, self._clock, timezone=self._timezone
        )
        self.statistics = StatisticsRepository(self.session, timezone=self._timezone)
        self.alerts = AlertRepository(self.session, self._alert_clock)
        self.staff = StaffRepository(self.session)
        self.reports = StatisticsReports(self.session, self.contacts, timezone=self._timezone)
        self.audit = AuditTrail(self.session)
        return self


class SqlAlchemyTurnsUnitOfWork(_OneSession):
    """The answered turns and the SMS choices; a database that cannot be reached (any
    SQLAlchemy error but the claim's own, which is AlreadyClaimed) leaves as StoreUnavailable."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> Self:
        self.session = self._sessions()
        self.turns = AnsweredTurnRepository(self.session)
        self.sms = SmsRepository(self.session)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(kind, error, traceback)
        except SQLAlchemyError:
            if error is None:
                raise StoreUnavailable() from None
        if isinstance(error, SQLAlchemyError):
            raise StoreUnavailable() from error
