"""The SQLAlchemy unit of work (bot.services.unit_of_work.UnitOfWork): one session, one
transaction, the repositories bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.audit import AuditTrail
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.reports import StatisticsReports
from bot.adapters.db.staff import StaffRepository
from bot.adapters.db.statistics import StatisticsRepository
from bot.domain.clock import Clock


class SqlAlchemyUnitOfWork:
    def __init__(
        self, sessions: sessionmaker[Session], cipher: FieldCipher, clock: Clock, timezone: str
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._clock = clock
        self._timezone = timezone

    def __enter__(self) -> Self:
        self.session = self._sessions()
        self.contacts = ContactRepository(
            self.session, self._cipher, self._clock, timezone=self._timezone
        )
        self.statistics = StatisticsRepository(self.session, timezone=self._timezone)
        self.staff = StaffRepository(self.session)
        self.reports = StatisticsReports(self.session, self.contacts, timezone=self._timezone)
        self.audit = AuditTrail(self.session)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Whatever was not committed is undone: a use case that fails half-way leaves nothing.
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
