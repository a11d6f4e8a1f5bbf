"""The action server's composition root: what the actions share, built once on first use (never
at import time) from the settings, or given by the caller (`use_services`, e.g. a test)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine, make_session_factory
from bot.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from bot.adapters.rate_limits import FlagAllowance, RateLimiter, parse_limit
from bot.adapters.service_file import load_facts
from bot.adapters.settings import Settings, get_settings
from bot.domain.clock import Clock, make_clock
from bot.domain.facts import ServiceFacts


@dataclass(frozen=True)
class Services:
    settings: Settings
    facts: ServiceFacts
    clock: Clock
    sessions: sessionmaker[Session]
    cipher: FieldCipher
    # Each client's flagged contacts: beyond its allowance, a possible flood.
    flood_meter: FlagAllowance

    def contacts(self, session: Session) -> ContactRepository:
        return ContactRepository(session, self.cipher, self.clock, timezone=self.facts.timezone)

    def unit_of_work(self) -> SqlAlchemyUnitOfWork:
        """A new unit of work for one use case (bot.services)."""
        return SqlAlchemyUnitOfWork(self.sessions, self.cipher, self.clock, self.facts.timezone)


def build_services(settings: Settings, sessions: sessionmaker[Session] | None = None) -> Services:
    """The services for these settings (`sessions`: another database's, e.g. a test's)."""
    return Services(
        settings=settings,
        facts=load_facts(settings.facts_file),
        clock=make_clock(settings.now),
        sessions=sessions or make_session_factory(make_engine(settings.database_url)),
        cipher=FieldCipher(
            settings.encryption_keys.get_secret_value(),
            settings.blind_index_key.get_secret_value(),
        ),
        flood_meter=FlagAllowance(
            RateLimiter(
                settings.hmac_key.get_secret_value(),
                settings.redis_url.get_secret_value(),
                enabled=settings.rate_limits_on,
            ),
            parse_limit(settings.flagged_contacts_per_client),
        ),
    )


class _Current:
    services: Services | None = None


def use_services(services: Services | None) -> None:
    """Sets the services the actions use (None: built again from the settings on next use)."""
    _Current.services = services


def current_services() -> Services | None:
    """The services in use, if any were built or given yet (never builds them)."""
    return _Current.services


def get_services() -> Services:
    if _Current.services is None:
        _Current.services = build_services(get_settings())
    return _Current.services
