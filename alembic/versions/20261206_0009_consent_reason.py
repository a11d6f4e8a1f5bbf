"""contacts: the reason a named child's details were shared without the family's consent (ISA
"Consent": the rationale is recorded), an AES-GCM token like the other free-text fields

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Earlier contacts were never asked: NULL, shown as "not asked".
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("consent_reason", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("consent_reason")
