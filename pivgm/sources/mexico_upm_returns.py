"""Mexico: foreigners returned by the Mexican migration authority ("devoluciones", UPM bulletins)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pyarrow as pa

from pivgm.ingest.source_csv import map_values
from pivgm.sources import _monthly_counts as counts
from pivgm.sources.base import VENDORED_DIR, SourceImporter

RETURN_TYPES = {
    "deportation": "DEP",
    "assisted return": "AVR",
    "assisted return of children": "AVR_CHILD",
}


class MexicoUpmReturns(SourceImporter):
    """Deportations and assisted returns of foreigners carried out by Mexico, by nationality (events)."""

    dataflow_id = "DF_RETURNS"
    provider_id = "MX_UPM"
    provider_name: ClassVar[dict[str, str]] = {
        "es": "Unidad de Política Migratoria, Registro e Identidad de Personas (UPMRIP), SEGOB",
        "en": "Migration Policy, Registry and Personal Identity Unit (UPMRIP), SEGOB, Mexico",
    }
    files = ("irreg_mexico_exp.csv.gz",)
    source_url = "https://portales.segob.gob.mx/es/PoliticaMigratoria/Boletines_Estadisticos"
    licence = "Public statistics of the Government of Mexico; IOM gdidata compilation under the MIT licence"
    citation = (
        "Unidad de Política Migratoria, Registro e Identidad de Personas (SEGOB), Boletín Mensual de "
        "Estadísticas Migratorias, cuadro 3.2.4; compiled by IOM Global Data Institute, gdidata package."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        (path,) = self.paths(directory)
        table = counts.read_counts(path, ["nat", "type"])
        dimensions = {
            "FREQ": "M",
            "REF_AREA": "MEX",
            "RETURN_DIRECTION": "EXEC",
            "CITIZENSHIP": counts.citizenship(path, table, "nat"),
            "COUNTERPART_AREA": "_Z",
            "SEX": "_T",
            "AGE": "_T",
            "ACCOMPANIMENT": "_T",
            "RETURN_TYPE": map_values(table.column("type"), RETURN_TYPES, file=path.name, column_name="type"),
        }
        observations = counts.observations(
            dimensions, counts.months(table), counts.values(table), {"UNIT_MEASURE": "EVENTS"}
        )
        return counts.sum_duplicate_keys(observations)
