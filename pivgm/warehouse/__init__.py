"""Observations on disk (immutable Parquet files) and the DuckDB engine that reads released ones.

The only package besides ``records`` with SQL in it (DuckDB's).
"""

from pivgm.warehouse.files import StoredFile, Warehouse
from pivgm.warehouse.query import DataQuery, ReleaseReader

__all__ = ["DataQuery", "ReleaseReader", "StoredFile", "Warehouse"]
