"""IOM Missing Migrants Project: dead and missing migrants by month, country of incident, route and cause.

The incident file also feeds ``iom_missing_migrants_incidents``; the reading and coding of its columns live
here so that both dataflows code routes, causes and countries the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.ingest.source_csv import map_values, read_source_csv
from pivgm.sources.base import VENDORED_DIR, SourceImporter

FILE = "mmp_2014-2025-04_iom_gdidata.csv.gz"
PROVIDER_NAME = {
    "es": "Organización Internacional para las Migraciones (OIM), Proyecto Migrantes Desaparecidos",
    "en": "International Organization for Migration (IOM), Missing Migrants Project",
}
SOURCE_URL = "https://missingmigrants.iom.int/downloads"
LICENCE = "CC BY 4.0 (attribution: IOM Missing Migrants Project); IOM gdidata compilation under the MIT licence"
CITATION = (
    "IOM Missing Migrants Project, incidents 2014 to April 2025 (downloaded June 2025); "
    "compiled by IOM Global Data Institute, gdidata package (iom_mmp)."
)

COLUMNS: dict[str, pa.DataType] = {
    "t": pa.date32(),
    "m": pa.date32(),
    "type": pa.string(),
    "route": pa.string(),
    "geo": pa.string(),
    "dead": pa.int64(),
    "cause": pa.string(),
    "surv": pa.int64(),
    "nat": pa.string(),
    "location": pa.string(),
    "lon": pa.float64(),
    "lat": pa.float64(),
}

ROUTES: Mapping[str, str] = {
    "Central American Route": "CAM_ROUTE",
    "South American Route": "SAM_ROUTE",
    "Central Mediterranean Route": "CMED_ROUTE",
    "Western Mediterranean Route": "WMED_ROUTE",
    "Eastern Mediterranean Route": "EMED_ROUTE",
    "Western African Atlantic Route": "WAFR_ATL_ROUTE",
    "Asia Pacific routes": "ASIA_PACIFIC",
    "Intra-African routes": "INTRA_AFRICA",
    "Intra-European routes": "INTRA_EUROPE",
    "EHOA Eastern Route": "EHOA_EAST",
    "EHOA Southern Route": "EHOA_SOUTH",
    "EHOA Northern Route": "EHOA_NORTH",
    "EHOA Horn of Africa Route": "EHOA_HOA",
    "Undefined": "_U",
}
CAUSES: Mapping[str, str] = {
    "Drowning": "DROWNING",
    "Vehicle accident / death linked to hazardous transport": "VEHICLE",
    "Violence": "VIOLENCE",
    "Harsh environmental conditions / lack of adequate shelter, food, water": "HARSH_CONDITIONS",
    "Sickness / lack of access to adequate healthcare": "SICKNESS",
    "Accidental death": "ACCIDENT",
    "Mixed or unknown": "MIXED_UNKNOWN",
}
# A cell listing several IOM categories (comma-separated) gets this code.
SEVERAL_CAUSES = "MULTIPLE"
# gdidata's non-ISO country codes -> CL_AREA; an empty country of incident is unknown.
SPECIAL_AREAS: Mapping[str, str] = {"": "_U", "UNK": "_U", "STL": "XXA", "OOO": "_O"}


def _row(index: int) -> int:
    """Spreadsheet row of a data index (header is row 1)."""
    return index + 2


def _fail_at(path: Path, bad: pa.Array, column: str, message: str) -> None:
    if pc.any(bad).as_py():
        index = pc.index(bad, True).as_py()
        raise SourceFormatError(message, file=path.name, row=_row(index), column=column)


def read_incidents(path: Path) -> pa.Table:
    """Read the incident file strictly: dates present, ``dead`` a whole number >= 0 on every row."""
    table = read_source_csv(path, COLUMNS)
    for column in ("t", "m"):
        _fail_at(path, pc.is_null(table.column(column).combine_chunks()), column, "the date is empty.")
    dead = table.column("dead").combine_chunks()
    _fail_at(path, pc.is_null(dead), "dead", "the number of dead and missing is empty.")
    _fail_at(path, pc.less(dead, 0), "dead", "the number of dead and missing is negative.")
    return table


def split_causes(cell: str) -> list[str] | None:
    """The IOM categories a cause cell lists, or None if it is not made of known categories.

    Categories are joined by commas, but one category itself contains commas, so the cell is matched
    against the known labels instead of being split on commas.
    """
    if cell in CAUSES:
        return [cell]
    for label in sorted(CAUSES, key=len, reverse=True):
        if cell.startswith(label + ","):
            rest = split_causes(cell[len(label) + 1 :].lstrip())
            if rest is not None:
                return [label, *rest]
    return None


def _cause_mapping(cells: Iterable[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for cell in cells:
        labels = split_causes(cell)
        if labels is not None:
            mapping[cell] = CAUSES[cell] if len(labels) == 1 else SEVERAL_CAUSES
    return mapping


def coded_dimensions(path: Path, table: pa.Table) -> dict[str, pa.Array]:
    """REF_AREA, MIGRATION_ROUTE and CAUSE_OF_DEATH of every incident; unknown labels are errors."""
    causes = table.column("cause").combine_chunks()
    return {
        "REF_AREA": area_codes(path, table.column("geo").combine_chunks(), "geo"),
        "MIGRATION_ROUTE": map_values(table.column("route"), ROUTES, file=path.name, column_name="route"),
        "CAUSE_OF_DEATH": map_values(
            causes, _cause_mapping(pc.unique(causes).to_pylist()), file=path.name, column_name="cause"
        ),
    }


def area_codes(path: Path, values: pa.Array, column: str) -> pa.Array:
    """ISO3 codes with gdidata's special codes translated; anything else must be three capital letters."""
    coded = map_values(values, SPECIAL_AREAS, file=path.name, column_name=column, keep_unmapped=True)
    special = pc.is_in(values, value_set=pa.array(list(SPECIAL_AREAS), pa.string()))
    bad = pc.and_(pc.invert(special), pc.invert(pc.match_substring_regex(values, r"^[A-Z]{3}$")))
    _fail_at(path, bad, column, "the country is not an ISO 3166 alpha-3 code.")
    return coded


def months(table: pa.Table) -> pa.Array:
    """The incident month ``m`` as SDMX monthly periods (``2023-07``)."""
    return pc.strftime(table.column("m").combine_chunks(), "%Y-%m")


class IomMissingMigrants(SourceImporter):
    """Dead and missing migrants (SDG 10.7.3) summed by month, country of incident, route and cause."""

    dataflow_id = "DF_MISSING_MIGRANTS"
    provider_id = "IOM_MMP"
    provider_name = PROVIDER_NAME
    files = (FILE,)
    source_url = SOURCE_URL
    licence = LICENCE
    citation = CITATION

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        (path,) = self.paths(directory)
        incidents = read_incidents(path)
        keys = {**coded_dimensions(path, incidents), "TIME_PERIOD": months(incidents)}
        summed = (
            pa.table({**keys, "OBS_VALUE": pc.cast(incidents.column("dead"), pa.float64())})
            .group_by(list(keys), use_threads=False)
            .aggregate([("OBS_VALUE", "sum")])
            .rename_columns({"OBS_VALUE_sum": "OBS_VALUE"})
        )
        frequency = pa.array(["M"] * summed.num_rows, pa.string())
        summed = summed.add_column(0, "FREQ", frequency).select(["FREQ", *keys, "OBS_VALUE"])
        return summed.sort_by([(name, "ascending") for name in keys])
