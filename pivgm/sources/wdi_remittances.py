"""World Bank WDI: personal remittances received and paid, by country and year (IOM gdidata ``wdi``).

The same long file (``geo``, ``var``, ``t``, ``v``) also feeds ``wdi_socioeconomic``; its reading lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.ingest.source_csv import map_values, read_source_csv
from pivgm.sources.base import VENDORED_DIR, SourceImporter

FILE = "wdi_wpp_indicators.csv.gz"
COLUMNS: dict[str, pa.DataType] = {"geo": pa.string(), "var": pa.string(), "t": pa.int64(), "v": pa.float64()}
PROVIDER_NAME = {"es": "Banco Mundial", "en": "World Bank"}
LICENCE = "CC BY 4.0 (World Bank WDI); CC BY 3.0 IGO (UN WPP); IOM gdidata compilation under the MIT licence"
GDIDATA = "compiled by IOM Global Data Institute, gdidata package (wdi, February 2025)"

# gdidata variable -> REMITTANCE_FLOW (BX.TRF.PWKR.CD.DT received, BM.TRF.PWKR.CD.DT paid).
FLOWS: Mapping[str, str] = {"remin": "IN", "remout": "OUT"}


def read_wdi(path: Path) -> pa.Table:
    """Read the long file strictly: an ISO3 code, a year and a value on every row."""
    table = read_source_csv(path, COLUMNS)
    checks = (
        (
            "geo",
            lambda a: pc.invert(pc.match_substring_regex(a, r"^[A-Z]{3}$")),
            "the country is not an ISO3 code.",
        ),
        ("t", pc.is_null, "the year is empty."),
        ("v", pc.is_null, "the value is empty."),
    )
    for column, is_bad, message in checks:
        bad = is_bad(table.column(column).combine_chunks())
        if pc.any(bad).as_py():
            row = pc.index(bad, True).as_py() + 2  # header is row 1
            raise SourceFormatError(message, file=path.name, row=row, column=column)
    return table


def observations(table: pa.Table, dimensions: Mapping[str, pa.Array]) -> pa.Table:
    """Annual observations of ``table``'s rows: FREQ, REF_AREA, the given dimensions, period and value."""
    return pa.table(
        {
            "FREQ": pa.array(["A"] * table.num_rows, pa.string()),
            "REF_AREA": table.column("geo").combine_chunks(),
            **dimensions,
            "TIME_PERIOD": pc.cast(table.column("t"), pa.string()),
            "OBS_VALUE": table.column("v").combine_chunks(),
        }
    )


class WdiRemittances(SourceImporter):
    """Personal remittances received and paid, current US dollars, all counterpart countries together."""

    dataflow_id = "DF_REMITTANCES"
    provider_id = "WB"
    provider_name = PROVIDER_NAME
    files = (FILE,)
    source_url = "https://data.worldbank.org/indicator/BX.TRF.PWKR.CD.DT"
    licence = LICENCE
    citation = (
        "World Bank, World Development Indicators, BX.TRF.PWKR.CD.DT and BM.TRF.PWKR.CD.DT "
        f"(Personal remittances, received / paid, current US$); {GDIDATA}."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        (path,) = self.paths(directory)
        table = read_wdi(path)
        table = table.filter(pc.is_in(table.column("var"), value_set=pa.array(list(FLOWS), pa.string())))
        flows = map_values(table.column("var"), FLOWS, file=path.name, column_name="var")
        counterpart = pa.array(["_T"] * table.num_rows, pa.string())
        return observations(table, {"REMITTANCE_FLOW": flows, "COUNTERPART_AREA": counterpart})
