"""Tables of the application database (SQLAlchemy 2 typed mappings)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class AnonymousStatistic(Base):
    """One counted event with nothing that identifies anyone (ISA, §5.17): no conversation id,
    no text; only the day, the hour, the channel and categories."""

    __tablename__ = "anonymous_statistics"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    hour: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(40), index=True)
    topic: Mapped[str | None] = mapped_column(String(40))
    suggested_level: Mapped[str | None] = mapped_column(String(20))
