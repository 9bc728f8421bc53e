"""World Bank WDI, UN WPP and WGI: socioeconomic context indicators by country and year (IOM gdidata ``wdi``).

Every variable of the file except the remittances (``wdi_remittances``) is an INDICATOR code here; a variable
this module does not know is an error, so a new one in a re-vendored file is noticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.ingest.source_csv import map_values
from pivgm.sources import wdi_remittances as wdi
from pivgm.sources.base import VENDORED_DIR, SourceImporter

# gdidata variable -> (INDICATOR, UNIT_MEASURE); the codelist's annotations repeat the units.
INDICATORS: Mapping[str, tuple[str, str]] = {
    "pop": ("POP_WPP", "PS"),
    "nmig": ("NET_MIGRATION", "PS"),
    "gdp": ("GDP", "USD"),
    "income": ("GDP_PC_PPP", "USD_PPP_2021"),
    "unem": ("UNEMPLOYMENT", "PT"),
    "inf": ("INFLATION", "PT"),
    "birth": ("BIRTH_RATE", "PER_1000"),
    "depend": ("DEPENDENCY", "PER_100"),
    "fdiin": ("FDI_IN", "USD"),
    "fdiout": ("FDI_OUT", "USD"),
    "polstb": ("POL_STABILITY", "SD_UNITS"),
}
# Rows of these variables belong to another importer: they are mapped to this marker, then left out.
ELSEWHERE = ""


class WdiSocioeconomic(SourceImporter):
    """Population (WPP), net migration, GDP, unemployment, inflation, births, dependency, FDI, stability."""

    dataflow_id = "DF_SOCIOECONOMIC"
    provider_id = "WB"
    provider_name = wdi.PROVIDER_NAME
    files = (wdi.FILE,)
    source_url = "https://databank.worldbank.org/source/world-development-indicators"
    licence = wdi.LICENCE
    citation = (
        "World Bank, World Development Indicators and Worldwide Governance Indicators; United Nations, "
        f"World Population Prospects 2024; {wdi.GDIDATA}."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        (path,) = self.paths(directory)
        table = wdi.read_wdi(path)
        variables = table.column("var")

        def coded(position: int) -> pa.Array:
            mapping = {var: codes[position] for var, codes in INDICATORS.items()}
            mapping.update(dict.fromkeys(wdi.FLOWS, ELSEWHERE))
            return map_values(variables, mapping, file=path.name, column_name="var")

        indicators, units = coded(0), coded(1)
        mine = pc.not_equal(indicators, ELSEWHERE)
        table, indicators, units = table.filter(mine), indicators.filter(mine), units.filter(mine)
        return wdi.observations(table, {"INDICATOR": indicators}).append_column("UNIT_MEASURE", units)
