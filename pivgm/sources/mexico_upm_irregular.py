"""Mexico: events of foreigners in an irregular migration situation presented to the INM (UPM bulletins)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pyarrow as pa

from pivgm.ingest.source_csv import map_values
from pivgm.sources import _monthly_counts as counts
from pivgm.sources.base import VENDORED_DIR, SourceImporter

UNIT = {"UNIT_MEASURE": "EVENTS"}
SEXES = {"male": "M", "female": "F"}
# UPM table 3.1.3 age groups -> (AGE, ACCOMPANIMENT); the 12-17 group is not split by accompaniment.
AGE_GROUPS: dict[str, tuple[str, str]] = {
    "18+": ("Y_GE18", "_Z"),
    "12-17": ("Y12T17", "_T"),
    "under 12, accompanied": ("Y_LT12", "ACC"),
    "under 12, unaccompanied": ("Y_LT12", "UNA"),
}


def _by_nationality(path: Path) -> pa.Table:
    table = counts.read_counts(path, ["nat"])
    dimensions = {
        "FREQ": "M",
        "REF_AREA": "MEX",
        "CITIZENSHIP": counts.citizenship(path, table, "nat"),
        "SEX": "_T",
        "AGE": "_T",
        "ACCOMPANIMENT": "_T",
    }
    return counts.sum_duplicate_keys(counts.observations(dimensions, counts.months(table), counts.values(table), UNIT))


def _by_sex_and_age(path: Path) -> pa.Table:
    table = counts.read_counts(path, ["sex", "age"])
    ages = table.column("age")
    dimensions = {
        "FREQ": "M",
        "REF_AREA": "MEX",
        "CITIZENSHIP": "_T",
        "SEX": map_values(table.column("sex"), SEXES, file=path.name, column_name="sex"),
        "AGE": map_values(ages, {k: v[0] for k, v in AGE_GROUPS.items()}, file=path.name, column_name="age"),
        "ACCOMPANIMENT": map_values(ages, {k: v[1] for k, v in AGE_GROUPS.items()}, file=path.name, column_name="age"),
    }
    return counts.observations(dimensions, counts.months(table), counts.values(table), UNIT)


class MexicoUpmIrregular(SourceImporter):
    """Foreigners presented to Mexico's INM or channelled to DIF shelters for lacking a regular status."""

    dataflow_id = "DF_IRREGULAR_TRANSIT"
    provider_id = "MX_UPM"
    provider_name: ClassVar[dict[str, str]] = {
        "es": "Unidad de Política Migratoria, Registro e Identidad de Personas (UPMRIP), SEGOB",
        "en": "Migration Policy, Registry and Personal Identity Unit (UPMRIP), SEGOB, Mexico",
    }
    files = ("irreg_mexico_nat.csv.gz", "irreg_mexico_dmg.csv.gz")
    source_url = "https://portales.segob.gob.mx/es/PoliticaMigratoria/Boletines_Estadisticos"
    licence = "Public statistics of the Government of Mexico; IOM gdidata compilation under the MIT licence"
    citation = (
        "Unidad de Política Migratoria, Registro e Identidad de Personas (SEGOB), Boletín Mensual de "
        "Estadísticas Migratorias, cuadros 3.1.1 y 3.1.3; compiled by IOM Global Data Institute, "
        "gdidata package."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        nationality, demography = self.paths(directory)
        return pa.concat_tables([_by_nationality(nationality), _by_sex_and_age(demography)])
