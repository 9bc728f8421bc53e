"""UNHCR end-year population figures (refugees, asylum-seekers, IDPs, stateless...) by origin and asylum.

One source row holds one measure column per population type; each filled cell becomes one observation.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pivgm.ingest.source_csv import read_source_csv
from pivgm.sources._unhcr import KEY_COLUMNS, UnhcrImporter, key_columns, unpivot
from pivgm.sources.base import VENDORED_DIR

FILE = "population.csv.gz"

# Measure column -> CL_POPULATION_TYPE (UNHCR's own population-type codes).
POPULATION_TYPES = {
    "refugees": "REF",
    "asylum_seekers": "ASY",
    "returned_refugees": "RET",
    "idps": "IDP",
    "returned_idps": "RDP",
    "stateless": "STA",
    "ooc": "OOC",
    "oip": "OIP",
    "hst": "HST",
}

COLUMNS: dict[str, pa.DataType] = {**KEY_COLUMNS, **{column: pa.float64() for column in POPULATION_TYPES}}

OUTPUT_COLUMNS = ("FREQ", "REF_AREA", "COUNTERPART_AREA", "POPULATION_TYPE", "TIME_PERIOD", "OBS_VALUE")


class UnhcrPopulationImporter(UnhcrImporter):
    """Forcibly displaced and stateless people at the end of each year, 1951 onwards."""

    dataflow_id = "DF_REFUGEES"
    files = (FILE,)

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        path = directory / FILE
        raw = read_source_csv(path, COLUMNS)
        return unpivot(key_columns(raw, path), raw, POPULATION_TYPES, "POPULATION_TYPE", OUTPUT_COLUMNS)
