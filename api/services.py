"""What the API's routes share, built once at start-up by the app's lifespan."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.rasa_client import RasaClient
from api.rate_limits import Limits
from bot.adapters.crypto import FieldCipher
from bot.adapters.db.database import make_engine, make_session_factory, make_turns_engine
from bot.adapters.db.unit_of_work import SqlAlchemyTurnsUnitOfWork, SqlAlchemyUnitOfWork
from bot.adapters.passwords import Passwords
from bot.adapters.sealed_fields import TotpSecrets
from bot.adapters.service_file import load_facts
from bot.adapters.settings import PROJECT_ROOT, Settings
from bot.adapters.totp import TotpCodes
from bot.domain.clock import Clock, make_clock
from bot.domain.facts import ServiceFacts
from bot.services.answered_turns import AnsweredTurns
from bot.services.staff_auth import SignInTools

DOMAIN_FILE = PROJECT_ROOT / "domain.yml"


def domain_intents(path: Path = DOMAIN_FILE) -> frozenset[str]:
    """The assistant's intents (a button's payload is "/" and one of them)."""
    intents = yaml.safe_load(path.read_text(encoding="utf-8")).get("intents") or []
    return frozenset(next(iter(i)) if isinstance(i, dict) else str(i) for i in intents)


@dataclass
class AppServices:
    settings: Settings
    facts: ServiceFacts
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    # The answered turns and the SMS choices (bot.adapters.db.database.make_turns_engine).
    turns_engine: Engine
    turns_sessions: sessionmaker[Session]
    rasa: RasaClient
    http: httpx.AsyncClient
    # The IRT review pages: contact fields are decrypted for staff, and staff passwords checked.
    cipher: FieldCipher
    passwords: Passwords
    # Both channels: each turn answered once however often it arrives.
    turns: AnsweredTurns
    # What a button's payload may name (bot.domain.validation.for_the_assistant).
    intents: frozenset[str]
    # Hostile callers: the rate limits, and how many sign-ins may check a password at once.
    limits: Limits
    sign_in_slots: threading.BoundedSemaphore

    @classmethod
    def build(cls, settings: Settings) -> AppServices:
        engine = make_engine(settings.database_url)
        sessions = make_session_factory(engine)
        turns_engine = make_turns_engine(settings.database_url, engine)
        turns_sessions = make_session_factory(turns_engine)
        http = httpx.AsyncClient()
        return cls(
            settings=settings,
            facts=load_facts(settings.facts_file),
            clock=make_clock(settings.now),
            engine=engine,
            sessions=sessions,
            turns_engine=turns_engine,
            turns_sessions=turns_sessions,
            rasa=RasaClient(settings, http),
            http=http,
            cipher=FieldCipher(
                settings.encryption_keys.get_secret_value(),
                settings.blind_index_key.get_secret_value(),
            ),
            passwords=Passwords(),
            turns=AnsweredTurns(lambda: SqlAlchemyTurnsUnitOfWork(turns_sessions)),
            intents=domain_intents(),
            limits=Limits.from_settings(settings),
            sign_in_slots=threading.BoundedSemaphore(settings.sign_in_concurrency),
        )

    def unit_of_work(self) -> SqlAlchemyUnitOfWork:
        """A new unit of work for one use case (bot.services)."""
        return SqlAlchemyUnitOfWork(self.sessions, self.cipher, self.clock, self.facts.timezone)

    def turns_unit_of_work(self) -> SqlAlchemyTurnsUnitOfWork:
        """A new unit of work over the answered turns and the SMS choices."""
        return SqlAlchemyTurnsUnitOfWork(self.turns_sessions)

    def sign_in_tools(self) -> SignInTools:
        """What the sign-in use cases need besides storage (built at each call, so that a
        test's stand-in for the password hasher or the limits is the one used)."""
        return SignInTools(
            passwords=self.passwords,
            cipher=TotpSecrets(self.cipher),
            codes=TotpCodes(),
            clock=self.clock,
            limits=self.limits,
            slots=self.sign_in_slots,
            idle_timeout=self.settings.staff_idle_timeout,
        )

    async def close(self) -> None:
        await self.http.aclose()
        self.engine.dispose()
        self.turns_engine.dispose()
