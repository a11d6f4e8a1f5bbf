"""answered turns: the SMS MessageSid store generalised to both channels (the web chat's
message ids too), keyed by a keyed hash

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The primary key on turn_key is what makes two concurrent deliveries of one message
    # produce one turn: the second insert fails and waits for the first one's reply.
    op.create_table(
        "answered_turns",
        sa.Column("turn_key", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
    )
    op.create_index("ix_answered_turns_received_at", "answered_turns", ["received_at"])
    # Its rows were keyed by Twilio's MessageSid as sent, and live 15 minutes: they are not
    # carried over (the key cannot be computed here without the HMAC key). A Twilio retry in
    # flight across the upgrade is answered afresh.
    op.drop_index("ix_sms_messages_received_at", "sms_messages")
    op.drop_table("sms_messages")


def downgrade() -> None:
    op.create_table(
        "sms_messages",
        sa.Column("message_sid", sa.String(64), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply_twiml", sa.Text(), nullable=True),
    )
    op.create_index("ix_sms_messages_received_at", "sms_messages", ["received_at"])
    op.drop_index("ix_answered_turns_received_at", "answered_turns")
    op.drop_table("answered_turns")
