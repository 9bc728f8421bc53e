"""Accounts and audit: users, grants, sessions, API tokens, login attempts, and the append-only audit log.

The database itself refuses to update or delete audit events (triggers), so that not even a bug or a
hand-typed statement in the application's own connection can rewrite history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "sqlite": (
        [
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        ],
        ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
    ),
    "postgresql": (
        [
            "CREATE FUNCTION pivgm_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$",
            "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION pivgm_audit_events_append_only()",
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION pivgm_audit_events_append_only()",
        ],
        [
            "DROP TRIGGER audit_events_no_truncate ON audit_events",
            "DROP TRIGGER audit_events_no_change ON audit_events",
            "DROP FUNCTION pivgm_audit_events_append_only()",
        ],
    ),
}


def _append_only_statements(which: int) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect not in APPEND_ONLY:
        raise RuntimeError(
            f"PIVGM keeps its audit log append-only with triggers written for {', '.join(APPEND_ONLY)}; "
            f"{dialect!r} is not supported."
        )
    return APPEND_ONLY[dialect][which]


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("password_temporary", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        _timestamp("locked_until", nullable=True),
        _timestamp("created_at"),
        _timestamp("password_changed_at"),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("provider_id", sa.String(64), sa.ForeignKey("providers.id"), nullable=True),
        _timestamp("granted_at"),
    )
    op.create_index("ix_grants_user", "grants", ["user_id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("last_seen_at"),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.Text, nullable=True),
        _timestamp("revoked_at", nullable=True),
        sa.Column("must_change_password", sa.Boolean, nullable=False),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("revoked_at", nullable=True),
        _timestamp("last_used_at", nullable=True),
    )
    op.create_index("ix_api_tokens_user", "api_tokens", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        _timestamp("at"),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
    )
    op.create_index("ix_login_attempts_username", "login_attempts", ["username", "at"])
    op.create_index("ix_login_attempts_ip", "login_attempts", ["ip", "at"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _timestamp("at"),
        sa.Column("actor_user_id", sa.Integer, nullable=True),
        sa.Column("actor_name", sa.String(128), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("via_token", sa.Boolean, nullable=False),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_action", "audit_events", ["action", "at"])
    op.create_index("ix_audit_events_actor", "audit_events", ["actor_name", "at"])
    for statement in _append_only_statements(0):
        op.execute(statement)


def downgrade() -> None:
    for statement in _append_only_statements(1):
        op.execute(statement)
    for table in ("audit_events", "login_attempts", "api_tokens", "sessions", "grants", "users"):
        op.drop_table(table)
