"""irt_alerts: the outbox of SMS alerts to the IRT duty phone, one row per flagged contact,
written in the contact's own transaction and delivered (with retries) by the action server

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "irt_alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contact_reference", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_sid", sa.String(64), nullable=True),
        sa.Column("last_error", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("origin", name="uq_irt_alerts_origin"),
    )
    op.create_index("ix_irt_alerts_contact_reference", "irt_alerts", ["contact_reference"])
    op.create_index("ix_irt_alerts_next_attempt_at", "irt_alerts", ["next_attempt_at"])
    op.create_index("ix_irt_alerts_message_sid", "irt_alerts", ["message_sid"])


def downgrade() -> None:
    op.drop_table("irt_alerts")
