"""The protected table as an SDMX-CSV 1.0 submission: the upload pipeline reads it as it is, no mapping needed.

Protected cells are rows with CONF_STATUS ``C`` or ``D`` and an empty value, so they are published as
confidential, not as zeros and not as missing.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from pivgm.microdata.columns import CONF_STATUS, PERIOD, VALUE
from pivgm.model import Dataflow


def _number(value: object) -> str:
    if value is None:
        return ""
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else repr(number)


def submission_csv(table: pa.Table, dataflow: Dataflow, constants: Mapping[str, str]) -> str:
    """SDMX-CSV text: dimensions in the structure's order, period, value, then attributes."""
    structure = dataflow.structure
    attributes = [a for a in structure.attribute_ids if a in constants or a == CONF_STATUS]
    header = ["DATAFLOW", *structure.dimension_ids, PERIOD, VALUE, *attributes]
    reference = f"{dataflow.agency}:{dataflow.id}({dataflow.version})"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    for index in range(table.num_rows):

        def cell(name: str, index: int = index) -> str:
            if name == VALUE:
                return _number(columns[VALUE][index])
            if name in columns:
                return str(columns[name][index])
            return constants.get(name, "")

        writer.writerow([reference, *(cell(name) for name in header[1:])])
    return out.getvalue()


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file: never a half-written submission."""
    temporary = path.with_name(f".{path.name}.partial")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
