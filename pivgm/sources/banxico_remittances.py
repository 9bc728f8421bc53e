"""Banco de México: remittances received and sent by Mexico, monthly totals and quarterly by country.

The sub-national files (by Mexican state, by US state of origin) are not loaded: the dataflow has no
sub-national dimension. The number of transactions (``OPERACIONES``) is not loaded either.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.ingest.source_csv import map_values, read_source_csv
from pivgm.sources.base import VENDORED_DIR, SourceImporter

MONTHLY_FILE = "remesas_mensuales.csv.gz"
BY_COUNTRY_FILE = "remesas_pais.csv.gz"

PROVIDER_NAME = {"es": "Banco de México", "en": "Bank of Mexico (Banco de México)"}
FLOWS: Mapping[str, str] = {"Ingresos": "IN", "Egresos": "OUT"}
# Banxico's country ids that are not the platform's code (ABK Abkhazia, ANT, XKX are CL_AREA codes).
SPECIAL_COUNTRIES: Mapping[str, str] = {"XXX": "_U"}
QUARTERS: Mapping[int, str] = {1: "Q1", 4: "Q2", 7: "Q3", 10: "Q4"}


def _fail_at(path: Path, bad: pa.Array, column: str, message: str) -> None:
    if pc.any(bad).as_py():
        row = pc.index(bad, True).as_py() + 2  # header is row 1
        raise SourceFormatError(message, file=path.name, row=row, column=column)


def _read(path: Path, columns: Mapping[str, pa.DataType]) -> pa.Table:
    """Read strictly: a first-of-period date and a value >= 0 on every row."""
    table = read_source_csv(path, {"PERIODO": pa.date32(), **columns, "VALOR_USD": pa.int64()})
    dates, values = table.column("PERIODO").combine_chunks(), table.column("VALOR_USD").combine_chunks()
    _fail_at(path, pc.is_null(dates), "PERIODO", "the date is empty.")
    _fail_at(path, pc.not_equal(pc.day(dates), 1), "PERIODO", "the date must be the first day of a period.")
    _fail_at(path, pc.is_null(values), "VALOR_USD", "the value is empty.")
    _fail_at(path, pc.less(values, 0), "VALOR_USD", "the value is negative.")
    return table


def _quarters(path: Path, dates: pa.Array) -> pa.Array:
    """First days of quarters as SDMX quarterly periods (``2024-Q1``)."""
    months = pc.month(dates)
    starts = pa.array(list(QUARTERS), pa.int64())
    _fail_at(path, pc.invert(pc.is_in(months, value_set=starts)), "PERIODO", "the date must start a quarter.")
    labels = pc.take(pa.array(list(QUARTERS.values())), pc.index_in(months, value_set=starts))
    return pc.binary_join_element_wise(pc.strftime(dates, "%Y"), labels, "-")


def _observations(
    frequency: str, flows: pa.Array, counterparts: pa.Array, periods: pa.Array, values: pa.Array
) -> pa.Table:
    length = len(values)
    return pa.table(
        {
            "FREQ": pa.array([frequency] * length, pa.string()),
            "REF_AREA": pa.array(["MEX"] * length, pa.string()),
            "REMITTANCE_FLOW": flows,
            "COUNTERPART_AREA": counterparts,
            "TIME_PERIOD": periods,
            "OBS_VALUE": pc.cast(values, pa.float64()),
        }
    )


def _by_country(path: Path) -> pa.Table:
    """Quarterly values by counterpart country; Banxico's two rows for PSE (Palestina, Cisjordania) are added.

    OBS_COMMENT keeps Banxico's country names where the code is not a plain ISO pass-through.
    """
    table = _read(path, {"ID_PAIS": pa.string(), "PAIS": pa.string(), "FLUJO": pa.string()})
    ids = table.column("ID_PAIS").combine_chunks()
    _fail_at(
        path,
        pc.invert(pc.match_substring_regex(ids, r"^[A-Z]{3}$")),
        "ID_PAIS",
        "the country id is not three letters.",
    )
    keyed = pa.table(
        {
            "REMITTANCE_FLOW": map_values(table.column("FLUJO"), FLOWS, file=path.name, column_name="FLUJO"),
            "COUNTERPART_AREA": map_values(
                ids, SPECIAL_COUNTRIES, file=path.name, column_name="ID_PAIS", keep_unmapped=True
            ),
            "TIME_PERIOD": _quarters(path, table.column("PERIODO").combine_chunks()),
            "VALOR_USD": table.column("VALOR_USD"),
            "ID_PAIS": ids,
            "PAIS": table.column("PAIS"),
        }
    )
    keys = ["REMITTANCE_FLOW", "COUNTERPART_AREA", "TIME_PERIOD"]
    summed = keyed.group_by(keys, use_threads=False).aggregate(
        [("VALOR_USD", "sum"), ("ID_PAIS", "distinct"), ("PAIS", "distinct")]
    )
    summed = summed.sort_by(
        [("TIME_PERIOD", "ascending"), ("COUNTERPART_AREA", "ascending"), ("REMITTANCE_FLOW", "ascending")]
    )
    notes = [
        f"Banxico: {' + '.join(sorted(names))}" if len(names) > 1 or codes[0] in SPECIAL_COUNTRIES else None
        for codes, names in zip(
            summed["ID_PAIS_distinct"].to_pylist(), summed["PAIS_distinct"].to_pylist(), strict=True
        )
    ]
    flows, counterparts, periods = (summed[key].combine_chunks() for key in keys)
    observations = _observations("Q", flows, counterparts, periods, summed["VALOR_USD_sum"].combine_chunks())
    return observations.append_column("OBS_COMMENT", pa.array(notes, pa.string()))


def _monthly(path: Path) -> pa.Table:
    """Monthly totals received (from 1995) and sent (from 2013), all counterpart countries."""
    table = _read(path, {"FLUJO": pa.string()})
    flows = map_values(table.column("FLUJO"), FLOWS, file=path.name, column_name="FLUJO")
    counterparts = pa.array(["_T"] * table.num_rows, pa.string())
    periods = pc.strftime(table.column("PERIODO").combine_chunks(), "%Y-%m")
    observations = _observations("M", flows, counterparts, periods, table.column("VALOR_USD").combine_chunks())
    return observations.append_column("OBS_COMMENT", pa.nulls(table.num_rows, pa.string()))


class BanxicoRemittances(SourceImporter):
    """Mexico's remittances in US dollars: monthly totals, and quarterly by origin or destination country."""

    dataflow_id = "DF_REMITTANCES"
    provider_id = "BANXICO"
    provider_name = PROVIDER_NAME
    files = (MONTHLY_FILE, BY_COUNTRY_FILE)
    source_url = "https://www.banxico.org.mx/SieInternet/"
    licence = "Public statistics (cite 'Fuente: Banco de México'); tidy CSV files under the MIT licence"
    citation = (
        "Banco de México, Sistema de Información Económica, remittance tables CE81, CE165, CE167 and CE169; "
        "tidied by the lapanquecita/remesas repository (July 2026)."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        monthly, by_country = self.paths(directory)
        return pa.concat_tables([_monthly(monthly), _by_country(by_country)])
