"""The engines one Ibis pipeline runs on: DuckDB in process (default) or Apache Spark (local or a cluster)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pivgm.errors import InvalidParameterError

if TYPE_CHECKING:
    import ibis

SPARK_LOCAL = "local[2]"


class Engine(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


_SPARK_SESSIONS: dict[str, Any] = {}


def spark_session(master: str | None) -> Any:
    """One Spark session per master URL for the whole process (starting one takes seconds)."""
    url = master or SPARK_LOCAL
    if url not in _SPARK_SESSIONS:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise InvalidParameterError(
                "the Spark engine needs pyspark: install PIVGM with the 'microdata' extra."
            ) from None
        builder = SparkSession.builder.master(url).appName("pivgm-aggregate")
        for key, value in {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.shuffle.partitions": "4",
            "spark.sql.session.timeZone": "UTC",
            "spark.driver.bindAddress": "127.0.0.1" if url.startswith("local") else None,
        }.items():
            if value is not None:
                builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        _SPARK_SESSIONS[url] = session
    return _SPARK_SESSIONS[url]


def connect(engine: Engine, spark_master: str | None = None) -> Any:
    """An Ibis connection to ``engine`` (Ibis is imported here: the rest of the CLI starts without it)."""
    import ibis

    if engine is Engine.SPARK:
        return ibis.pyspark.connect(spark_session(spark_master))
    if spark_master:
        raise InvalidParameterError("--spark-master needs --engine spark.")
    return ibis.duckdb.connect()


def read_records(connection: Any, engine: Engine, files: Sequence[Path]) -> ibis.Table:
    """The staged Parquet files as one Ibis table."""
    if engine is Engine.DUCKDB:
        return connection.read_parquet([str(path) for path in files])
    tables = [connection.read_parquet(str(path)) for path in files]
    columns = tables[0].columns
    result = tables[0]
    for table in tables[1:]:
        result = result.union(table.select(*columns))
    return result
