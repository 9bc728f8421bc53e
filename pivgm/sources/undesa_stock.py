"""UN DESA International Migrant Stock 2024: migrants by country of destination, origin and sex.

Reads IOM's tidy copy of the UN DESA workbook (one row per destination, year, origin and sex). The source has
no both-sexes rows: UN DESA's published totals are female + male, so the importer adds ``SEX = _T`` as that
sum for every destination, origin and year (where only one sex were present, the total would be that sex's
value; the 2024 edition has no such pair).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.ingest.source_csv import map_values, read_source_csv
from pivgm.sources.base import VENDORED_DIR, SourceImporter

FILE = "ims2024_stock_by_origin_destination_sex.csv.gz"

FLAG_COLUMNS = ("type_b", "type_c", "type_r", "type_i")

COLUMNS: dict[str, pa.DataType] = {
    "geo": pa.string(),
    "t": pa.int64(),
    "from": pa.string(),
    "sex": pa.string(),
    "n": pa.float64(),
    **{flag: pa.string() for flag in FLAG_COLUMNS},
}

SEX_CODES = {"female": "F", "male": "M"}

# UN DESA's "other / unknown origin". XCX (Channel Islands) is already a CL_AREA code.
AREA_CODES = {"OOO": "_O"}

# The destination's "type of data" flags, in the order of FLAG_COLUMNS (B foreign-born, C foreign citizens,
# R refugees added, I imputed), to CL_STOCK_BASIS. Every combination found in the 2024 and 2020 editions.
BASIS_CODES = {
    "1000": "B",
    "1010": "BR",
    "0100": "C",
    "0110": "CR",
    "1110": "BCR",
    "0001": "I",
    "0011": "IR",
}

DIMENSIONS = ("FREQ", "REF_AREA", "COUNTERPART_AREA", "SEX")
SERIES_COLUMNS = ("FREQ", "REF_AREA", "COUNTERPART_AREA", "TIME_PERIOD", "STOCK_BASIS")
OUTPUT_COLUMNS = (*DIMENSIONS, "TIME_PERIOD", "OBS_VALUE", "STOCK_BASIS")


class UndesaStockImporter(SourceImporter):
    """International migrant stock (mid-year) by destination, origin and sex, 1990-2024."""

    dataflow_id = "DF_MIG_STOCK"
    provider_id = "UNDESA"
    provider_name: ClassVar[dict[str, str]] = {
        "es": "Naciones Unidas, Departamento de Asuntos Económicos y Sociales, División de Población",
        "en": "United Nations, Department of Economic and Social Affairs, Population Division",
    }
    files = (FILE,)
    source_url = "https://www.un.org/development/desa/pd/content/international-migrant-stock"
    licence = "CC BY 3.0 IGO"
    citation = (
        "United Nations Department of Economic and Social Affairs, Population Division (2024). "
        "International Migrant Stock 2024."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        path = directory / FILE
        raw = read_source_csv(path, COLUMNS)
        _require_counts(raw, path)
        by_sex = _by_sex(raw, path.name)
        both = _both_sexes(by_sex)
        table = pa.concat_tables([by_sex, both.select(OUTPUT_COLUMNS)])
        return table.sort_by([(name, "ascending") for name in (*DIMENSIONS, "TIME_PERIOD")])


def _require_counts(raw: pa.Table, path: Path) -> None:
    """A row always carries a count: a missing estimate is a missing row, never an empty cell."""
    empty = pc.is_null(raw.column("n"))
    if pc.any(empty).as_py():
        row = pc.index(empty, True).as_py() + 2  # the header is row 1
        raise SourceFormatError("the count is empty.", file=path.name, row=row, column="n")


def _by_sex(raw: pa.Table, file: str) -> pa.Table:
    flags = pc.binary_join_element_wise(*(raw.column(flag) for flag in FLAG_COLUMNS), "")
    return pa.table(
        {
            "FREQ": pa.array(["A"] * raw.num_rows, pa.string()),
            "REF_AREA": raw.column("geo"),
            "COUNTERPART_AREA": map_values(
                raw.column("from"), AREA_CODES, file=file, column_name="from", keep_unmapped=True
            ),
            "SEX": map_values(raw.column("sex"), SEX_CODES, file=file, column_name="sex"),
            "TIME_PERIOD": pc.cast(raw.column("t"), pa.string()),
            "OBS_VALUE": raw.column("n"),
            "STOCK_BASIS": map_values(flags, BASIS_CODES, file=file, column_name="type_b/type_c/type_r/type_i"),
        }
    )


def _both_sexes(by_sex: pa.Table) -> pa.Table:
    """Female + male for every destination, origin and year (the basis is the destination's, per year)."""
    sums = by_sex.group_by(list(SERIES_COLUMNS)).aggregate([("OBS_VALUE", "sum")])
    return sums.rename_columns({"OBS_VALUE_sum": "OBS_VALUE"}).append_column(
        "SEX", pa.array(["_T"] * sums.num_rows, pa.string())
    )
