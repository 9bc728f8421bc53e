"""UNHCR asylum applications lodged during the year, by country of asylum, origin and stage of the procedure.

``procedure_type``, ``app_type`` and ``dec_level`` are UNHCR codes kept as they are (``NA`` in ``dec_level``
means "new applications", not a missing value); ``app_pc`` says whether a figure counts persons or cases.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pivgm.ingest.source_csv import read_source_csv
from pivgm.sources._unhcr import KEY_COLUMNS, UnhcrImporter, count_basis, key_columns
from pivgm.sources.base import VENDORED_DIR

FILE = "asylum_applications_americas.csv.gz"

COLUMNS: dict[str, pa.DataType] = {
    **KEY_COLUMNS,
    "procedure_type": pa.string(),
    "app_type": pa.string(),
    "dec_level": pa.string(),
    "app_pc": pa.string(),
    "applied": pa.float64(),
}


class UnhcrAsylumApplicationsImporter(UnhcrImporter):
    """Asylum applications, 2000 onwards, where the origin or the country of asylum is in the Americas."""

    dataflow_id = "DF_ASYLUM_APPLICATIONS"
    files = (FILE,)

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        path = directory / FILE
        raw = read_source_csv(path, COLUMNS)
        keys = key_columns(raw, path)
        basis = count_basis(raw, "app_pc", path)
        table = pa.table(
            {
                "FREQ": keys["FREQ"],
                "REF_AREA": keys["REF_AREA"],
                "COUNTERPART_AREA": keys["COUNTERPART_AREA"],
                "ASYLUM_PROCEDURE": raw.column("procedure_type"),
                "APPLICATION_TYPE": raw.column("app_type"),
                "DECISION_LEVEL": raw.column("dec_level"),
                "COUNT_BASIS": basis,
                "TIME_PERIOD": keys["TIME_PERIOD"],
                "OBS_VALUE": raw.column("applied"),
                "UNIT_MEASURE": basis,
            }
        )
        # An empty count is a missing value in UNHCR files: no observation.
        return table.filter(table.column("OBS_VALUE").is_valid())
