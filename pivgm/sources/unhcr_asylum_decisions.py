"""UNHCR decisions on asylum claims taken during the year, by country of asylum, origin, stage and outcome.

Each source row holds the four outcomes and their total; each becomes one observation with its
``DECISION_TYPE``. The total is loaded as UNHCR publishes it, even where it differs from the sum of outcomes.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pivgm.ingest.source_csv import read_source_csv
from pivgm.sources._unhcr import KEY_COLUMNS, UnhcrImporter, count_basis, key_columns, unpivot
from pivgm.sources.base import VENDORED_DIR

FILE = "asylum_decisions_americas.csv.gz"

# Measure column -> CL_DECISION_TYPE.
DECISION_TYPES = {
    "dec_recognized": "RECOGNIZED",
    "dec_other": "COMPLEMENTARY",
    "dec_rejected": "REJECTED",
    "dec_closed": "CLOSED",
    "dec_total": "_T",
}

COLUMNS: dict[str, pa.DataType] = {
    **KEY_COLUMNS,
    "procedure_type": pa.string(),
    "dec_level": pa.string(),
    "dec_pc": pa.string(),
    **{column: pa.float64() for column in DECISION_TYPES},
}

OUTPUT_COLUMNS = (
    "FREQ",
    "REF_AREA",
    "COUNTERPART_AREA",
    "ASYLUM_PROCEDURE",
    "DECISION_LEVEL",
    "COUNT_BASIS",
    "DECISION_TYPE",
    "TIME_PERIOD",
    "OBS_VALUE",
    "UNIT_MEASURE",
)


class UnhcrAsylumDecisionsImporter(UnhcrImporter):
    """Asylum decisions, 2000 onwards, where the origin or the country of asylum is in the Americas."""

    dataflow_id = "DF_ASYLUM_DECISIONS"
    files = (FILE,)

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        path = directory / FILE
        raw = read_source_csv(path, COLUMNS)
        basis = count_basis(raw, "dec_pc", path)
        keys = {
            **key_columns(raw, path),
            "ASYLUM_PROCEDURE": raw.column("procedure_type"),
            "DECISION_LEVEL": raw.column("dec_level"),
            "COUNT_BASIS": basis,
            "UNIT_MEASURE": basis,
        }
        return unpivot(keys, raw, DECISION_TYPES, "DECISION_TYPE", OUTPUT_COLUMNS)
