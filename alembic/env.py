"""Alembic environment: the URL is set by bot.adapters.db.migrations or PCL_DATABASE_URL."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import text

from bot.adapters.db.database import make_engine
from bot.adapters.db.models import Base
from bot.adapters.settings import PROJECT_ROOT

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _database_url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("PCL_DATABASE_URL")
        or f"sqlite:///{PROJECT_ROOT / 'var' / 'pcl.db'}"
    )


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


# Every API instance migrates before it serves, and production starts several at once: on
# PostgreSQL they take turns under this session advisory lock (any fixed number, the same for
# all), and the ones that come after find the schema at head. SQLite serves one machine's
# processes, which `make run` starts one API of.
MIGRATION_LOCK = 7_302_612


def run_migrations_online() -> None:
    engine = make_engine(_database_url())
    with engine.connect() as connection:
        locked = connection.dialect.name == "postgresql"
        if locked:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()  # the lock outlives the transaction; the migration gets its own
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if locked:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
    engine.dispose()  # the migration's connection is not kept


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
