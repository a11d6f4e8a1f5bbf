"""Run the Alembic migrations programmatically (the API does so before it serves)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bot.adapters.settings import PROJECT_ROOT


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
