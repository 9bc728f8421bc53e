"""Submissions: archived files, mappings, submissions and their review history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archived_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("stored_file", sa.Text, nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "mappings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("provider_id", sa.String(64), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("dataflow_id", sa.String(64), sa.ForeignKey("dataflows.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ux_mappings_provider_flow_version",
        "mappings",
        ["provider_id", "dataflow_id", "version"],
        unique=True,
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("provider_id", sa.String(64), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("dataflow_id", sa.String(64), sa.ForeignKey("dataflows.id"), nullable=False),
        sa.Column("file_sha256", sa.String(64), sa.ForeignKey("archived_files.sha256"), nullable=False),
        sa.Column("mapping_id", sa.Integer, sa.ForeignKey("mappings.id"), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("warning_count", sa.Integer, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("release_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id"), nullable=True),
    )
    op.create_index("ix_submissions_provider_flow", "submissions", ["provider_id", "dataflow_id", "file_sha256"])
    op.create_table(
        "submission_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=False),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
    )
    op.create_index("ix_submission_events_submission", "submission_events", ["submission_id", "id"])
    with op.batch_alter_table("releases") as batch:
        batch.add_column(sa.Column("withdraws_version_id", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.drop_column("withdraws_version_id")
    for table in ("submission_events", "submissions", "mappings", "archived_files"):
        op.drop_table(table)
