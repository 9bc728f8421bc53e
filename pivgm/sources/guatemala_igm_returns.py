"""Guatemala: Guatemalans returned from Mexico and the United States and received by the IGM."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pyarrow as pa

from pivgm.ingest.source_csv import map_values
from pivgm.sources import _monthly_counts as counts
from pivgm.sources.base import VENDORED_DIR, SourceImporter

SEXES = {"male": "M", "female": "F"}
# IGM age groups -> (AGE, ACCOMPANIMENT); a child is a person under 18.
AGE_GROUPS: dict[str, tuple[str, str]] = {
    "adult": ("Y_GE18", "_Z"),
    "accompanied child": ("Y_LT18", "ACC"),
    "unaccompanied child": ("Y_LT18", "UNA"),
}
# The country the persons were returned from; from 2024 the source leaves it empty for some rows.
ORIGINS = {"MEX": "MEX", "USA": "USA", "": "_U"}


class GuatemalaIgmReturns(SourceImporter):
    """Returned Guatemalans received by Guatemala, by sex, age group and returning country."""

    dataflow_id = "DF_RETURNS"
    provider_id = "GT_IGM"
    provider_name: ClassVar[dict[str, str]] = {
        "es": "Instituto Guatemalteco de Migración (IGM)",
        "en": "Guatemalan Migration Institute (IGM)",
    }
    files = ("irreg_guatemala.csv.gz",)
    source_url = "https://igm.gob.gt/informes-estadisticos"
    licence = "Public statistics of the Government of Guatemala; IOM gdidata compilation under the MIT licence"
    citation = (
        "Instituto Guatemalteco de Migración, Informes estadísticos: guatemaltecos retornados (updated "
        "18 June 2025); compiled by IOM Global Data Institute, gdidata package."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        (path,) = self.paths(directory)
        table = counts.read_counts(path, ["sex", "age", "origin"])
        ages = table.column("age")
        dimensions = {
            "FREQ": "M",
            "REF_AREA": "GTM",
            "RETURN_DIRECTION": "RECV",
            "CITIZENSHIP": "GTM",
            "COUNTERPART_AREA": map_values(table.column("origin"), ORIGINS, file=path.name, column_name="origin"),
            "SEX": map_values(table.column("sex"), SEXES, file=path.name, column_name="sex"),
            "AGE": map_values(ages, {k: v[0] for k, v in AGE_GROUPS.items()}, file=path.name, column_name="age"),
            "ACCOMPANIMENT": map_values(
                ages, {k: v[1] for k, v in AGE_GROUPS.items()}, file=path.name, column_name="age"
            ),
            # IGM counts every returned person, whatever the legal form of the return.
            "RETURN_TYPE": "_T",
        }
        return counts.observations(dimensions, counts.months(table), counts.values(table), {"UNIT_MEASURE": "PS"})
