"""What the API's routes share, built once at start-up by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.rasa_client import RasaClient
from bot.clock import Clock, make_clock
from bot.facts import ServiceFacts, load_facts
from bot.records.database import make_engine, make_session_factory
from bot.settings import Settings


@dataclass
class AppServices:
    settings: Settings
    facts: ServiceFacts
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    rasa: RasaClient
    http: httpx.AsyncClient

    @classmethod
    def build(cls, settings: Settings) -> AppServices:
        engine = make_engine(settings.database_url)
        http = httpx.AsyncClient()
        return cls(
            settings=settings,
            facts=load_facts(settings.facts_file),
            clock=make_clock(settings.now),
            engine=engine,
            sessions=make_session_factory(engine),
            rasa=RasaClient(settings, http),
            http=http,
        )

    async def close(self) -> None:
        await self.http.aclose()
        self.engine.dispose()
