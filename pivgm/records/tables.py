"""The records schema (SQLAlchemy 2 declarative). Changes go through an Alembic migration."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DataflowRecord(Base):
    """A dataflow known to this instance (the registry of the standard's dataflows)."""

    __tablename__ = "dataflows"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(16))
    name_es: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProviderRecord(Base):
    """An agency that provides data (a national authority or an international source)."""

    __tablename__ = "providers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_es: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(Text, default="")


class DatasetVersionRecord(Base):
    """One immutable version of one provider's data for one dataflow, kept as a Parquet file."""

    __tablename__ = "dataset_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataflow_id: Mapped[str] = mapped_column(ForeignKey("dataflows.id"))
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    source: Mapped[str] = mapped_column(String(128))
    source_files: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    input_sha256: Mapped[str] = mapped_column(String(64))
    parquet_file: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_versions_flow_provider", "dataflow_id", "provider_id", "id"),)


class ReleaseRecord(Base):
    """A published snapshot of a dataflow: what the public read path queries."""

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataflow_id: Mapped[str] = mapped_column(ForeignKey("dataflows.id"))
    parquet_file: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdraws_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # set when a scheduled release was cancelled before it took effect: it never does, and nothing reads it
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (Index("ix_releases_flow_published", "dataflow_id", "published_at"),)


class ReleaseVersionRecord(Base):
    """Which dataset versions a release is made of."""

    __tablename__ = "release_versions"
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), primary_key=True)


class ArchivedFileRecord(Base):
    """An uploaded file, kept byte for byte under its SHA-256."""

    __tablename__ = "archived_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    stored_file: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MappingRecord(Base):
    """A provider's confirmed mapping of its file layout to a dataflow; versions are kept."""

    __tablename__ = "mappings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    dataflow_id: Mapped[str] = mapped_column(ForeignKey("dataflows.id"))
    version: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ux_mappings_provider_flow_version", "provider_id", "dataflow_id", "version", unique=True),)


class SubmissionRecord(Base):
    """One upload by a provider for a dataflow: its file, mapping, validation report and outcome."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    dataflow_id: Mapped[str] = mapped_column(ForeignKey("dataflows.id"))
    file_sha256: Mapped[str] = mapped_column(ForeignKey("archived_files.sha256"))
    mapping_id: Mapped[int | None] = mapped_column(ForeignKey("mappings.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(32))
    row_count: Mapped[int] = mapped_column(Integer)
    error_count: Mapped[int] = mapped_column(Integer)
    warning_count: Mapped[int] = mapped_column(Integer)
    report: Mapped[dict[str, object]] = mapped_column(JSON)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("dataset_versions.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    release_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"), nullable=True)
    __table_args__ = (Index("ix_submissions_provider_flow", "provider_id", "dataflow_id", "file_sha256"),)


class SubmissionEventRecord(Base):
    """One step of a submission's review: who moved it from which state to which, and why."""

    __tablename__ = "submission_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_submission_events_submission", "submission_id", "id"),)
