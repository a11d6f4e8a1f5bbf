"""encrypted fields bound to their table, column and row: every token written before (v1, whose
AES-GCM associated data was a constant) is re-encrypted as v2, whose associated data names its
place, so a value moved to another row or column no longer decrypts (issue 19). Needs the
keyring as the app has it (PCL_ENCRYPTION_KEYS) when there are records.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from alembic import context, op

from bot.adapters.db.resealing import bind, reseal, unbind

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _keys() -> str | None:
    # Given by the caller (bot.adapters.db.migrations), else the environment, as the app has it.
    given = context.config.attributes.get("encryption_keys")
    return given or os.environ.get("PCL_ENCRYPTION_KEYS")


def upgrade() -> None:
    reseal(op.get_bind(), _keys(), bind)


def downgrade() -> None:
    # The code before this revision reads only v1 tokens.
    reseal(op.get_bind(), _keys(), unbind)
