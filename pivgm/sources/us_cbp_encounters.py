"""United States: CBP encounters at the southwest land border, by citizenship and month."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pyarrow as pa

from pivgm.ingest.source_csv import map_values
from pivgm.sources import _monthly_counts as counts
from pivgm.sources.base import VENDORED_DIR, SourceImporter

COMPONENTS = {"U.S. Border Patrol": "USBP", "Office of Field Operations": "OFO"}
# Border Patrol sectors keep CBP's own sector codes; OFO field offices are named after their main city.
AREAS = {
    "": "_T",
    "Big Bend Sector": "BBT",
    "Del Rio Sector": "DRT",
    "El Centro Sector": "ELC",
    "El Paso Sector": "EPT",
    "Laredo Sector": "LRT",
    "Rio Grande Valley Sector": "RGV",
    "San Diego Sector": "SDC",
    "Tucson Sector": "TCA",
    "Yuma Sector": "YUM",
    "El Paso Field Office": "FO_ELP",
    "Laredo Field Office": "FO_LRD",
    "San Diego Field Office": "FO_SAN",
    "Tucson Field Office": "FO_TUS",
}
AUTHORITIES = {"Title 8": "T8", "Title 42": "T42"}
ENCOUNTER_TYPES = {"Apprehensions": "APP", "Inadmissibles": "INA", "Expulsions": "EXP"}
DEMOGRAPHICS = {
    "Single Adults": "SA",
    "FMUA": "FMUA",
    "UAC": "UAC",
    "UC / Single Minors": "UC",
    "Accompanied Minors": "AM",
}
# Source column -> (dimension, label mapping).
CODED_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "component": ("BORDER_COMPONENT", COMPONENTS),
    "area": ("BORDER_AREA", AREAS),
    "authority": ("LEGAL_AUTHORITY", AUTHORITIES),
    "type": ("ENCOUNTER_TYPE", ENCOUNTER_TYPES),
    "demog": ("BORDER_DEMOGRAPHIC", DEMOGRAPHICS),
}


class UsCbpEncounters(SourceImporter):
    """Southwest border encounters (USBP apprehensions, OFO inadmissibles, Title 42 expulsions)."""

    dataflow_id = "DF_BORDER_ENCOUNTERS"
    provider_id = "US_CBP"
    provider_name: ClassVar[dict[str, str]] = {
        "es": "Oficina de Aduanas y Protección Fronteriza de los Estados Unidos (CBP)",
        "en": "U.S. Customs and Border Protection (CBP)",
    }
    files = ("cbp_swb_encounters_by_nationality_fy2018-2025.csv.gz",)
    source_url = "https://www.cbp.gov/document/stats/nationwide-encounters"
    licence = "Public domain (work of the U.S. Government); IOM gdidata compilation under the MIT licence"
    citation = (
        "U.S. Customs and Border Protection, Nationwide Encounters (Southwest Land Border, updated "
        "4 June 2025); compiled by IOM Global Data Institute, gdidata package."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        (path,) = self.paths(directory)
        table = counts.read_counts(path, ["component", "area", "authority", "type", "demog", "nat"])
        coded = {
            dimension: map_values(table.column(column), mapping, file=path.name, column_name=column)
            for column, (dimension, mapping) in CODED_COLUMNS.items()
        }
        dimensions = {
            "FREQ": "M",
            "REF_AREA": "USA",
            # Citizenship is published from October 2019; earlier rows are totals.
            "CITIZENSHIP": counts.citizenship(path, table, "nat", empty="_T"),
            **coded,
        }
        return counts.observations(dimensions, counts.months(table), counts.values(table))
