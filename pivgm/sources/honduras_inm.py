"""Honduras: irregular migrants entering the country (INM "Flujo Migratorio Irregular" dashboard)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pyarrow as pa

from pivgm.sources import _monthly_counts as counts
from pivgm.sources.base import VENDORED_DIR, SourceImporter

UNIT = {"UNIT_MEASURE": "PS"}
EVERYONE = {"CITIZENSHIP": "_T", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T"}


def _totals(path: Path) -> pa.Table:
    table = counts.read_counts(path)
    dimensions = {"FREQ": "M", "REF_AREA": "HND", **EVERYONE}
    return counts.observations(dimensions, counts.months(table), counts.values(table), UNIT)


def _by_nationality(path: Path) -> pa.Table:
    table = counts.read_counts(path, ["nat"])
    dimensions = {
        "FREQ": "M",
        "REF_AREA": "HND",
        "CITIZENSHIP": counts.citizenship(path, table, "nat"),
        "SEX": "_T",
        "AGE": "_T",
        "ACCOMPANIMENT": "_T",
    }
    return counts.sum_duplicate_keys(counts.observations(dimensions, counts.months(table), counts.values(table), UNIT))


def _by_sex_and_age(path: Path) -> pa.Table:
    table = counts.read_counts(path, ["demog"])
    groups = counts.person_groups(path, table, "demog")
    dimensions = {"FREQ": "M", "REF_AREA": "HND", "CITIZENSHIP": "_T", **groups}
    return counts.observations(dimensions, counts.months(table), counts.values(table), UNIT)


class HondurasInm(SourceImporter):
    """Irregular migrants recorded entering Honduras by its National Migration Institute."""

    dataflow_id = "DF_IRREGULAR_TRANSIT"
    provider_id = "HN_INM"
    provider_name: ClassVar[dict[str, str]] = {
        "es": "Instituto Nacional de Migración de Honduras (INM)",
        "en": "National Migration Institute of Honduras (INM)",
    }
    files = ("irreg_honduras.csv.gz", "irreg_honduras_nat.csv.gz", "irreg_honduras_dmg.csv.gz")
    source_url = (
        "https://app.powerbi.com/view?r=eyJrIjoiODNhMGY4MGUtM2NkMy00YTIzLTlmZTAtNmQxZmJiZDhiZjc1IiwidCI6"
        "ImUxMWQ5NjIwLTRkM2UtNDEwYi05MTUyLWZkMWNmNmNmNzI5YSJ9"
    )
    licence = "Public statistics of the Government of Honduras; IOM gdidata compilation under the MIT licence"
    citation = (
        "Instituto Nacional de Migración de Honduras, tablero «Flujo Migratorio Irregular» "
        "(updated 19 June 2025); compiled by IOM Global Data Institute, gdidata package."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        totals, nationality, demography = self.paths(directory)
        return pa.concat_tables([_totals(totals), _by_nationality(nationality), _by_sex_and_age(demography)])
