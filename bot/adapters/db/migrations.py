"""Run the Alembic migrations programmatically, or check the schema is at head.

Outside production the API migrates before it serves. In production the runtime login has no
DDL rights (docs/production.md, Database roles): the migrations run first with their own login
(`python -m api.migrate`, PCL_MIGRATION_DATABASE_URL), and the API only checks the schema.
"""

from __future__ import annotations

import sys

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.adapters.db.database import make_engine
from bot.adapters.settings import PROJECT_ROOT, Settings


def alembic_config(database_url: str, encryption_keys: str | None = None) -> Config:
    """`encryption_keys`: the keyring, for a migration that re-encrypts the records (else it
    is read from PCL_ENCRYPTION_KEYS)."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    if encryption_keys:
        config.attributes["encryption_keys"] = encryption_keys
    return config


def upgrade_to_head(database_url: str, encryption_keys: str | None = None) -> None:
    command.upgrade(alembic_config(database_url, encryption_keys), "head")


def downgrade_to(database_url: str, revision: str, encryption_keys: str | None = None) -> None:
    command.downgrade(alembic_config(database_url, encryption_keys), revision)


class SchemaNotAtHeadError(RuntimeError):
    """The database is not migrated to this code's schema (and this process may not migrate)."""


def require_head(database_url: str) -> None:
    """SchemaNotAtHeadError unless the database's revision is this code's head."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    if current != heads:
        raise SchemaNotAtHeadError(
            f"the database schema is at {', '.join(sorted(current)) or 'nothing'}, not at "
            f"{', '.join(sorted(heads))}: migrate it first with the migration login, "
            "`PCL_MIGRATION_DATABASE_URL=... python -m api.migrate` (docs/production.md, "
            "Database roles); the runtime login cannot"
        )


def prepare_schema(database_url: str, *, production: bool, encryption_keys: str) -> None:
    """Before serving: check the schema in production, else migrate it."""
    if production:
        require_head(database_url)
    else:
        upgrade_to_head(database_url, encryption_keys)


def prepare_or_exit(settings: Settings, program: str) -> None:
    """prepare_schema for an entry point: exits with the reason when the schema is not at head."""
    try:
        prepare_schema(
            settings.database_url,
            production=settings.env == "production",
            encryption_keys=settings.encryption_keys.get_secret_value(),
        )
    except SchemaNotAtHeadError as error:
        sys.exit(f"{program}: {error}")
