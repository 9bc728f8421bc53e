"""Apply a submission to a provider's current observations: merge, replace or delete, as SDMX-CSV 2.0's
ACTION column says (M/A/I merge by key, R replaces whole series, D deletes keys or whole series)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

ACTION = "_action"
MERGE_ACTIONS = ("M", "A", "I")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def merge_observations(
    base_file: Path | None,
    incoming: pa.Table,
    actions: pa.Array | None,
    series_columns: Sequence[str],
    time_column: str,
) -> pa.Table:
    """The provider's new full set of observations: ``base`` with ``incoming`` applied.

    Without actions every incoming row merges (insert or update by key). Returns rows in ``incoming``'s
    column order.
    """
    columns = incoming.column_names
    keys = [*series_columns, time_column]
    incoming_with_actions = incoming.append_column(
        ACTION, actions if actions is not None else pa.array(["M"] * incoming.num_rows, pa.string())
    )
    connection = duckdb.connect(":memory:")
    try:
        connection.register("incoming", incoming_with_actions)
        selected = ", ".join(_quote(c) for c in columns)
        if base_file is not None:
            base = connection.sql(f"SELECT {selected} FROM read_parquet(?)", params=[str(base_file)]).to_arrow_table()
            connection.register("base", base)
        else:
            connection.execute(f"CREATE VIEW base AS SELECT {selected} FROM incoming WHERE false")
        series_match = " AND ".join(f"b.{_quote(c)} = i.{_quote(c)}" for c in series_columns)
        time = _quote(time_column)
        key_match = " AND ".join(f"b.{_quote(c)} = i.{_quote(c)}" for c in keys)
        sql = f"""
            SELECT {selected} FROM base b
            WHERE NOT EXISTS (SELECT 1 FROM incoming i WHERE i.{ACTION} = 'R' AND {series_match})
              AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.{ACTION} = 'D' AND {series_match}
                              AND (i.{time} IS NULL OR b.{time} = i.{time}))
              AND NOT EXISTS (SELECT 1 FROM incoming i WHERE list_contains(?, i.{ACTION}) AND {key_match})
            UNION ALL
            SELECT {selected} FROM incoming WHERE {ACTION} <> 'D'
        """
        return connection.sql(sql, params=[list(MERGE_ACTIONS)]).to_arrow_table()
    finally:
        connection.close()
