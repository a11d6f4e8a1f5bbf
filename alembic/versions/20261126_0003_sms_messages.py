"""SMS: answered MessageSids (Twilio's retries get the same reply) and the numbered choices
last offered to each sender

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The primary key on message_sid is what makes two concurrent deliveries of one message
    # produce one turn: the second insert fails and waits for the first one's reply.
    op.create_table(
        "sms_messages",
        sa.Column("message_sid", sa.String(64), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply_twiml", sa.Text(), nullable=True),
    )
    op.create_index("ix_sms_messages_received_at", "sms_messages", ["received_at"])

    # sender_id is a keyed hash of the phone number (bot.domain.privacy.sms_sender_id).
    op.create_table(
        "sms_conversations",
        sa.Column("sender_id", sa.String(64), primary_key=True),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sms_conversations_updated_at", "sms_conversations", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_sms_conversations_updated_at", "sms_conversations")
    op.drop_table("sms_conversations")
    op.drop_index("ix_sms_messages_received_at", "sms_messages")
    op.drop_table("sms_messages")
