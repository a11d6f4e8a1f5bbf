"""contacts: the keyed hash of the conversation turn that created each one, unique, so that a
turn run again records no second contact

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Earlier contacts keep no origin (NULLs never clash in a unique constraint).
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("origin", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_contacts_origin", ["origin"])


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint("uq_contacts_origin", type_="unique")
        batch.drop_column("origin")
