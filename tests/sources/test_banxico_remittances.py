"""Banxico remittances importer: Mexico's monthly totals and quarterly flows by country, in US dollars."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.banxico_remittances import BanxicoRemittances
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.wdi_remittances import WdiRemittances
from pivgm.structures import load_standard

MONTHLY = "remesas_mensuales.csv.gz"
BY_COUNTRY = "remesas_pais.csv.gz"
FLOWS = {"Ingresos": "IN", "Egresos": "OUT"}


def raw_rows(file: str) -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / file, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, file: str, rows: list[dict[str, str]], encoding: str = "utf-8") -> None:
    """Write ``file`` into ``path`` next to an unchanged copy of the other vendored file."""
    for other in (MONTHLY, BY_COUNTRY):
        shutil.copy(VENDORED_DIR / other, path / other)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with gzip.open(path / file, "wb") as f:
        f.write(buffer.getvalue().encode(encoding))


def quarter(date: str) -> str:
    return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return BanxicoRemittances().read()


@pytest.fixture(scope="module")
def rows(table) -> list[dict]:
    return table.to_pylist()


def test_remittances_received_by_calendar_year_match_the_provenance_checks(rows):
    raw: Counter = Counter()
    for row in raw_rows(MONTHLY):
        if row["FLUJO"] == "Ingresos":
            raw[row["PERIODO"][:4]] += int(row["VALOR_USD"])
    output: Counter = Counter()
    for r in rows:
        if (r["FREQ"], r["REMITTANCE_FLOW"], r["COUNTERPART_AREA"]) == ("M", "IN", "_T"):
            output[r["TIME_PERIOD"][:4]] += r["OBS_VALUE"]
    for year, billions in {"2022": 58.87, "2023": 63.32, "2024": 65.02}.items():
        assert raw[year] / 1e9 == pytest.approx(billions, abs=0.005)
        assert output[year] == raw[year]


def test_every_monthly_value_equals_the_raw_file(rows):
    raw = {(FLOWS[r["FLUJO"]], r["PERIODO"][:7]): int(r["VALOR_USD"]) for r in raw_rows(MONTHLY)}
    output = {(r["REMITTANCE_FLOW"], r["TIME_PERIOD"]): r["OBS_VALUE"] for r in rows if r["FREQ"] == "M"}
    assert output == raw
    assert len(raw) == 538


def test_remittances_sent_in_2024_by_destination_match_the_provenance_checks(rows):
    sent: Counter = Counter()
    for r in rows:
        if r["FREQ"] == "Q" and r["REMITTANCE_FLOW"] == "OUT" and r["TIME_PERIOD"].startswith("2024"):
            sent[r["COUNTERPART_AREA"]] += r["OBS_VALUE"]
    assert sent["USA"] / 1e6 == pytest.approx(603, abs=0.5)
    assert sent["COL"] / 1e6 == pytest.approx(239, abs=0.5)
    assert sent["GTM"] / 1e6 == pytest.approx(28.9, abs=0.05)
    assert sent["HND"] / 1e6 == pytest.approx(31.8, abs=0.05)


def test_quarterly_values_by_country_equal_the_raw_file(rows):
    raw: Counter = Counter()
    for row in raw_rows(BY_COUNTRY):
        country = "_U" if row["ID_PAIS"] == "XXX" else row["ID_PAIS"]
        raw[(FLOWS[row["FLUJO"]], country, quarter(row["PERIODO"]))] += int(row["VALOR_USD"])
    output = {
        (r["REMITTANCE_FLOW"], r["COUNTERPART_AREA"], r["TIME_PERIOD"]): r["OBS_VALUE"]
        for r in rows
        if r["FREQ"] == "Q"
    }
    assert output == raw


def test_palestine_adds_banxicos_palestina_and_cisjordania_rows(rows):
    raw = sum(int(r["VALOR_USD"]) for r in raw_rows(BY_COUNTRY) if r["PAIS"] in ("Palestina", "Cisjordania"))
    palestine = [r for r in rows if r["COUNTERPART_AREA"] == "PSE"]
    assert sum(r["OBS_VALUE"] for r in palestine) == raw
    assert {r["OBS_COMMENT"] for r in palestine} == {"Banxico: Cisjordania + Palestina"}


def test_unidentified_countries_are_unknown_and_other_ids_keep_their_code(rows):
    unknown = [r for r in rows if r["COUNTERPART_AREA"] == "_U"]
    assert unknown
    assert {r["OBS_COMMENT"] for r in unknown} == {"Banxico: No Identificado"}
    ids = {r["ID_PAIS"] for r in raw_rows(BY_COUNTRY)}
    counterparts = {r["COUNTERPART_AREA"] for r in rows if r["FREQ"] == "Q"}
    assert counterparts == (ids - {"XXX"}) | {"_U"}
    assert {"ABK", "ANT", "XKX"} <= counterparts


def test_banxico_has_the_dataflow_columns_unique_keys_and_known_codes(table, rows):
    dataflow = load_standard().dataflows[BanxicoRemittances.dataflow_id]
    keys = [*dataflow.structure.dimension_ids, "TIME_PERIOD"]
    assert table.column_names == [*keys, "OBS_VALUE", "OBS_COMMENT"]
    assert len({tuple(r[k] for k in keys) for r in rows}) == table.num_rows
    assert table.column("OBS_VALUE").null_count == 0
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids()
    assert {(r["FREQ"], r["REF_AREA"]) for r in rows} == {("M", "MEX"), ("Q", "MEX")}


def test_banxico_and_world_bank_keys_do_not_collide(rows):
    keys = ["FREQ", "REF_AREA", "REMITTANCE_FLOW", "COUNTERPART_AREA", "TIME_PERIOD"]
    banxico = {tuple(r[k] for k in keys) for r in rows}
    world_bank = {tuple(r[k] for k in keys) for r in WdiRemittances().read().to_pylist()}
    assert not banxico & world_bank


def test_an_empty_monthly_file_is_rejected(tmp_path):
    write_rows(tmp_path, BY_COUNTRY, raw_rows(BY_COUNTRY)[:5])
    with gzip.open(tmp_path / MONTHLY, "wb"):
        pass
    with pytest.raises(SourceFormatError, match=rf"{MONTHLY}: the file is empty"):
        BanxicoRemittances().read(tmp_path)


def test_a_latin1_country_file_is_rejected_naming_the_row(tmp_path):
    rows = raw_rows(BY_COUNTRY)[:5]
    assert rows[0]["PAIS"] == "República de Abjasia"  # the first data row (row 2) has a non-ASCII letter
    write_rows(tmp_path, BY_COUNTRY, rows, encoding="latin-1")
    with pytest.raises(SourceFormatError, match=rf"{BY_COUNTRY}, row 2: the file is not valid UTF-8"):
        BanxicoRemittances().read(tmp_path)


def test_a_file_without_the_value_column_is_rejected(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "VALOR_USD"} for row in raw_rows(MONTHLY)[:5]]
    write_rows(tmp_path, MONTHLY, rows)
    with pytest.raises(SourceFormatError, match=rf"{MONTHLY}, row 1, column 'VALOR_USD'"):
        BanxicoRemittances().read(tmp_path)


def test_an_unknown_flow_is_rejected_naming_row_and_column(tmp_path):
    rows = raw_rows(MONTHLY)[:5]
    rows[3]["FLUJO"] = "Transferencias"
    write_rows(tmp_path, MONTHLY, rows)
    with pytest.raises(SourceFormatError, match=rf"{MONTHLY}, row 5, column 'FLUJO'"):
        BanxicoRemittances().read(tmp_path)


def test_a_date_inside_a_quarter_is_rejected_naming_row_and_column(tmp_path):
    rows = raw_rows(BY_COUNTRY)[:5]
    rows[2]["PERIODO"] = "2013-02-01"
    write_rows(tmp_path, BY_COUNTRY, rows)
    with pytest.raises(SourceFormatError, match=rf"{BY_COUNTRY}, row 4, column 'PERIODO'"):
        BanxicoRemittances().read(tmp_path)
