"""Panama: irregular transit of foreigners through the Darién border with Colombia (SNM)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.sources import _monthly_counts as counts
from pivgm.sources.base import VENDORED_DIR, SourceImporter

# The SNM series gives one total per year up to this year, then one figure per month.
LAST_ANNUAL_YEAR = 2019
UNIT = {"UNIT_MEASURE": "PS"}


def _frequency_and_period(path: Path, table: pa.Table) -> tuple[pa.Array, pa.Array]:
    """FREQ and TIME_PERIOD: annual rows (dated 1 January) up to ``LAST_ANNUAL_YEAR``, monthly after."""
    dates = table.column(counts.DATE).combine_chunks()
    annual = pc.less_equal(pc.year(dates), LAST_ANNUAL_YEAR)
    not_january = pc.and_(annual, pc.not_equal(pc.month(dates), 1))
    if pc.any(not_january).as_py():
        raise SourceFormatError(
            f"rows up to {LAST_ANNUAL_YEAR} are annual totals and must be dated 1 January.",
            file=path.name,
            row=pc.index(not_january, True).as_py() + 2,
            column=counts.DATE,
        )
    frequency = pc.if_else(annual, "A", "M")
    period = pc.if_else(annual, counts.years(table), counts.months(table))
    return frequency, period


def _by_nationality(path: Path) -> pa.Table:
    table = counts.read_counts(path, ["nat"])
    frequency, period = _frequency_and_period(path, table)
    dimensions = {
        "FREQ": frequency,
        "REF_AREA": "PAN",
        "CITIZENSHIP": counts.citizenship(path, table, "nat"),
        "SEX": "_T",
        "AGE": "_T",
        "ACCOMPANIMENT": "_T",
    }
    return counts.sum_duplicate_keys(counts.observations(dimensions, period, counts.values(table), UNIT))


def _by_sex_and_age(path: Path) -> pa.Table:
    table = counts.read_counts(path, ["demog"])
    groups = counts.person_groups(path, table, "demog")
    dimensions = {"FREQ": "M", "REF_AREA": "PAN", "CITIZENSHIP": "_T", **groups}
    return counts.observations(dimensions, counts.months(table), counts.values(table), UNIT)


class PanamaDarien(SourceImporter):
    """Migrants recorded by Panama's SNM after crossing the Darién jungle from Colombia."""

    dataflow_id = "DF_IRREGULAR_TRANSIT"
    provider_id = "PA_SNM"
    provider_name: ClassVar[dict[str, str]] = {
        "es": "Servicio Nacional de Migración de Panamá (SNM)",
        "en": "National Migration Service of Panama (SNM)",
    }
    files = ("irreg_darien_nat.csv.gz", "irreg_darien_dmg.csv.gz")
    source_url = "https://www.migracion.gob.pa/estadisticas"
    licence = "Public statistics of the Government of Panama; IOM gdidata compilation under the MIT licence"
    citation = (
        "Servicio Nacional de Migración de Panamá, «Tránsito irregular de extranjeros por la frontera con "
        "Colombia» (data as of 13 May 2025); compiled by IOM Global Data Institute, gdidata package."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        nationality, demography = self.paths(directory)
        return pa.concat_tables([_by_nationality(nationality), _by_sex_and_age(demography)])
