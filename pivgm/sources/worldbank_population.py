"""World Bank: total population by country and year (WDI SP.POP.TOTL), the per-capita denominator."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.ingest.source_csv import read_source_csv
from pivgm.sources.base import VENDORED_DIR, SourceImporter

PROVIDER_NAME = {"es": "Banco Mundial", "en": "World Bank"}
COLUMNS: dict[str, pa.DataType] = {
    "Country Name": pa.string(),
    "Country Code": pa.string(),
    "Year": pa.int64(),
    "Value": pa.int64(),
}


def _fail_at(path: Path, bad: pa.Array, column: str, message: str) -> None:
    if pc.any(bad).as_py():
        row = pc.index(bad, True).as_py() + 2  # header is row 1
        raise SourceFormatError(message, file=path.name, row=row, column=column)


class WorldbankPopulation(SourceImporter):
    """Mid-year de facto population, all residents, 1960 onwards."""

    dataflow_id = "DF_POPULATION"
    provider_id = "WB"
    provider_name = PROVIDER_NAME
    files = ("worldbank_population_SP.POP.TOTL.csv.gz",)
    source_url = "https://data.worldbank.org/indicator/SP.POP.TOTL"
    licence = "CC BY 4.0 (World Bank WDI); data package under ODC-PDDL-1.0"
    citation = (
        "World Bank, World Development Indicators, SP.POP.TOTL (Population, total); "
        "data package datasets/population (datahub.io), March 2026."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        (path,) = self.paths(directory)
        table = read_source_csv(path, COLUMNS)
        codes, years, values = (table.column(c).combine_chunks() for c in ("Country Code", "Year", "Value"))
        # World Bank aggregates (LCN, WLD...) have their own codes; only three-letter codes are accepted here
        # and the loader checks them against CL_AREA.
        _fail_at(
            path,
            pc.invert(pc.match_substring_regex(codes, r"^[A-Z0-9]{3}$")),
            "Country Code",
            "the country code is not a three-character code.",
        )
        _fail_at(path, pc.is_null(years), "Year", "the year is empty.")
        _fail_at(path, pc.is_null(values), "Value", "the population is empty.")
        return pa.table(
            {
                "FREQ": pa.array(["A"] * table.num_rows, pa.string()),
                "REF_AREA": codes,
                "TIME_PERIOD": pc.cast(years, pa.string()),
                "OBS_VALUE": pc.cast(values, pa.float64()),
            }
        )
