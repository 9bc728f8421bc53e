"""Initial records: dataflows, providers, dataset versions, releases.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataflows",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("name_es", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name_es", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("source_url", sa.Text, nullable=False),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataflow_id", sa.String(64), sa.ForeignKey("dataflows.id"), nullable=False),
        sa.Column("provider_id", sa.String(64), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("source_files", sa.JSON, nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("parquet_file", sa.Text, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_versions_flow_provider", "dataset_versions", ["dataflow_id", "provider_id", "id"])
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataflow_id", sa.String(64), sa.ForeignKey("dataflows.id"), nullable=False),
        sa.Column("parquet_file", sa.Text, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_releases_flow_published", "releases", ["dataflow_id", "published_at"])
    op.create_table(
        "release_versions",
        sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id"), primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), primary_key=True),
    )


def downgrade() -> None:
    for table in ("release_versions", "releases", "dataset_versions", "providers", "dataflows"):
        op.drop_table(table)
