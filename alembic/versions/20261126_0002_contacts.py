"""contacts, their history and decisions, the audit trail and reference counters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Encrypted columns hold AES-GCM tokens (bot.adapters.crypto), never plain text.
ENCRYPTED = (
    "caller_name",
    "caller_role",
    "caller_agency",
    "caller_address",
    "caller_phone",
    "caller_email",
    "child_name",
    "child_dob",
    "child_age",
    "child_unborn",
    "child_address",
    "child_setting",
    "child_carers",
    "concern",
    "family_aware",
    "advice_given",
)

# Append-only audit trail enforced by the database too, so not even raw SQL from the
# application's own login can rewrite history.
POSTGRES_AUDIT_GUARD = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
"""
SQLITE_AUDIT_GUARD = (
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END""",
)


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("significant_harm", sa.Boolean(), nullable=False),
        sa.Column("immediate_danger", sa.Boolean(), nullable=False),
        sa.Column("harm_categories", sa.JSON(), nullable=False),
        sa.Column("suggested_level", sa.String(20), nullable=True),
        sa.Column("level_reasons", sa.JSON(), nullable=False),
        sa.Column("threshold_answers", sa.JSON(), nullable=False),
        sa.Column("next_steps", sa.JSON(), nullable=False),
        *(sa.Column(name, sa.Text(), nullable=True) for name in ENCRYPTED),
        sa.Column("child_blind_index", sa.String(64), nullable=True),
        sa.Column("lcs_reference", sa.String(40), nullable=True),
        _time("erased_at", nullable=True),
        sa.Column("erased_by", sa.String(120), nullable=True),
        sa.Column("erasure_rationale", sa.Text(), nullable=True),
        sa.UniqueConstraint("reference", name="uq_contacts_reference"),
        sa.UniqueConstraint("year", "sequence", name="uq_contacts_year_sequence"),
    )
    op.create_index("ix_contacts_created_at", "contacts", ["created_at"])
    op.create_index("ix_contacts_status", "contacts", ["status"])
    op.create_index("ix_contacts_child_blind_index", "contacts", ["child_blind_index"])

    op.create_table(
        "contact_status_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("from_status", sa.String(24), nullable=True),
        sa.Column("to_status", sa.String(24), nullable=False),
        _time("at"),
        sa.Column("by", sa.String(120), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_contact_status_history_contact_id", "contact_status_history", ["contact_id"]
    )

    op.create_table(
        "manager_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contacts.id"), nullable=False),
        _time("at"),
        sa.Column("by", sa.String(120), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("lcs_reference", sa.String(40), nullable=True),
    )
    op.create_index("ix_manager_decisions_contact_id", "manager_decisions", ["contact_id"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        _time("at"),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("reference", sa.String(20), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_reference", "audit_events", ["reference"])

    op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
    )

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(POSTGRES_AUDIT_GUARD)
    elif dialect == "sqlite":
        for statement in SQLITE_AUDIT_GUARD:
            op.execute(statement)


def downgrade() -> None:
    # Dropping the table drops its triggers; PostgreSQL's trigger function goes separately.
    op.drop_table("reference_counters")
    op.drop_index("ix_audit_events_reference", "audit_events")
    op.drop_index("ix_audit_events_at", "audit_events")
    op.drop_table("audit_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_index("ix_manager_decisions_contact_id", "manager_decisions")
    op.drop_table("manager_decisions")
    op.drop_index("ix_contact_status_history_contact_id", "contact_status_history")
    op.drop_table("contact_status_history")
    op.drop_index("ix_contacts_child_blind_index", "contacts")
    op.drop_index("ix_contacts_status", "contacts")
    op.drop_index("ix_contacts_created_at", "contacts")
    op.drop_table("contacts")
