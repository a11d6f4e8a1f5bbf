"""anonymous statistics

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "anonymous_statistics",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("topic", sa.String(40), nullable=True),
        sa.Column("suggested_level", sa.String(20), nullable=True),
    )
    op.create_index("ix_anonymous_statistics_day", "anonymous_statistics", ["day"])
    op.create_index("ix_anonymous_statistics_event", "anonymous_statistics", ["event"])


def downgrade() -> None:
    op.drop_index("ix_anonymous_statistics_event", "anonymous_statistics")
    op.drop_index("ix_anonymous_statistics_day", "anonymous_statistics")
    op.drop_table("anonymous_statistics")
