"""What the actions share, built once per process on first use (never at import time)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.crypto import FieldCipher
from bot.adapters.db.contacts import ContactRepository
from bot.adapters.db.database import make_engine, make_session_factory
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

    def contacts(self, session: Session) -> ContactRepository:
        return ContactRepository(session, self.cipher, self.clock, self.facts.timezone)


@lru_cache
def get_services() -> Services:
    settings = get_settings()
    return Services(
        settings=settings,
        facts=load_facts(settings.facts_file),
        clock=make_clock(settings.now),
        sessions=make_session_factory(make_engine(settings.database_url)),
        cipher=FieldCipher(
            settings.encryption_keys.get_secret_value(),
            settings.blind_index_key.get_secret_value(),
        ),
    )
