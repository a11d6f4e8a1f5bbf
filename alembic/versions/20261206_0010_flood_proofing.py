"""flood-proof flags and alerts: a contact marked as from a flooding source (one client's
flagged contacts beyond its allowance), and the cap on alerts to the IRT duty phone (the sends
in the cap's window, the row that serialises the senders' decisions, alerts held back for one
summary message and the summary that told the IRT of them)

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(
            sa.Column("flooding_source", sa.Boolean, nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("irt_alerts") as batch:
        # A summary message has no contact of its own: it tells of the alerts held back.
        batch.alter_column("contact_reference", existing_type=sa.String(20), nullable=True)
        batch.add_column(sa.Column("summary_id", sa.Integer, nullable=True))
        batch.create_index("ix_irt_alerts_summary_id", ["summary_id"])
    op.create_table(
        "irt_alert_sends",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_irt_alert_sends_at", "irt_alert_sends", ["at"])
    op.create_table(
        "irt_alert_gate",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("decisions", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("irt_alert_gate")
    op.drop_table("irt_alert_sends")
    op.execute("DELETE FROM irt_alerts WHERE contact_reference IS NULL")
    with op.batch_alter_table("irt_alerts") as batch:
        batch.drop_index("ix_irt_alerts_summary_id")
        batch.drop_column("summary_id")
        batch.alter_column("contact_reference", existing_type=sa.String(20), nullable=False)
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("flooding_source")
