"""What the UNHCR importers share: the provider, the origin/asylum key columns and the unpivot of measures.

All UNHCR files (R package ``refugees``) key rows by ``year``, country of origin and country of asylum. The
importers use the ISO columns (``coo_iso``, ``coa_iso``): UNHCR's own three-letter codes differ from ISO.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.ingest.source_csv import map_values
from pivgm.sources.base import SourceImporter

KEY_COLUMNS: dict[str, pa.DataType] = {"year": pa.int64(), "coo_iso": pa.string(), "coa_iso": pa.string()}

# UNHCR's "Unknown" country is ``UNK`` in the data files and ``XXX`` in its country table. Stateless (``XXA``)
# and Tibetan (``TIB``) origins are already CL_AREA codes and pass through unchanged.
AREA_CODES = {"UNK": "_U", "XXX": "_U"}

# Whether a figure counts persons or cases (``app_pc``, ``dec_pc``), to CL_COUNT_BASIS and CL_UNIT_MEASURE.
COUNT_BASIS_CODES = {"P": "PS", "C": "CASES"}


class UnhcrImporter(SourceImporter):
    """Provider details common to every file of the UNHCR Refugee Population Statistics Database."""

    provider_id = "UNHCR"
    provider_name: ClassVar[dict[str, str]] = {
        "es": "Alto Comisionado de las Naciones Unidas para los Refugiados (ACNUR)",
        "en": "Office of the United Nations High Commissioner for Refugees (UNHCR)",
    }
    source_url = "https://www.unhcr.org/refugee-statistics/"
    licence = "CC BY 4.0"
    citation = (
        "UNHCR Refugee Population Statistics Database, https://www.unhcr.org/refugee-statistics/ "
        "(R package refugees 2025.12.1)."
    )


def key_columns(raw: pa.Table, path: Path) -> dict[str, pa.Array]:
    """FREQ, REF_AREA (country of asylum), COUNTERPART_AREA (country of origin) and TIME_PERIOD per row."""
    areas = {
        target: map_values(raw.column(column), AREA_CODES, file=path.name, column_name=column, keep_unmapped=True)
        for target, column in (("REF_AREA", "coa_iso"), ("COUNTERPART_AREA", "coo_iso"))
    }
    return {
        "FREQ": pa.array(["A"] * raw.num_rows, pa.string()),
        **areas,
        "TIME_PERIOD": pc.cast(raw.column("year"), pa.string()),
    }


def count_basis(raw: pa.Table, column: str, path: Path) -> pa.Array:
    return map_values(raw.column(column), COUNT_BASIS_CODES, file=path.name, column_name=column)


def unpivot(
    keys: Mapping[str, pa.Array],
    raw: pa.Table,
    measures: Mapping[str, str],
    dimension: str,
    order: Sequence[str],
) -> pa.Table:
    """One observation per filled cell of each measure column, coded in ``dimension``.

    Empty cells are missing values in UNHCR files and give no observation; zeros are reported zeros and stay.
    """
    base = pa.table(dict(keys))
    parts = []
    for column, code in measures.items():
        values = raw.column(column)
        part = base.append_column(dimension, pa.array([code] * raw.num_rows, pa.string()))
        part = part.append_column("OBS_VALUE", values.cast(pa.float64()))
        parts.append(part.filter(pc.is_valid(values)).select(list(order)))
    return pa.concat_tables(parts)
