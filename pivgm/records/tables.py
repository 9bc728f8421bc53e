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
    __table_args__ = (Index("ix_releases_flow_published", "dataflow_id", "published_at"),)


class ReleaseVersionRecord(Base):
    """Which dataset versions a release is made of."""

    __tablename__ = "release_versions"
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), primary_key=True)
