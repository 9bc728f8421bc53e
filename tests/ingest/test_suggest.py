"""Mapping suggestions: which column is which component, and which code each national label stands for."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pivgm.errors import SourceFormatError
from pivgm.ingest.mapping import apply_mapping
from pivgm.ingest.readers import read_file
from pivgm.ingest.suggest import PERIOD_COLUMN, apply_layout, suggest_mapping
from pivgm.structures import load_standard

SPECIMENS = Path(__file__).resolve().parent / "specimens"
FLOWS = {"DF_IRREGULAR_TRANSIT", "DF_MIG_STOCK", "DF_RETURNS", "DF_SOCIOECONOMIC"}


@pytest.fixture(scope="module")
def standard():
    return load_standard()


def read(name: str):
    return read_file(SPECIMENS / name)


def test_a_long_national_table_is_mapped_by_headers_and_content(standard):
    raw = read("csv/long-national.csv")
    suggestion = suggest_mapping(raw, standard.dataflow("DF_IRREGULAR_TRANSIT"), provider_countries=("PAN",))
    assert suggestion.columns == {
        "CITIZENSHIP": "Nacionalidad",
        "SEX": "Sexo",
        "TIME_PERIOD": "Mes",
        "OBS_VALUE": "Cantidad",
    }
    assert suggestion.values["CITIZENSHIP"] == {
        "Venezuela (República Bolivariana de)": "VEN",
        "Haití": "HTI",
        "EE.UU.": "USA",
        "Total": "_T",
    }
    assert suggestion.values["SEX"] == {"Hombres": "M", "Mujeres": "F", "Total": "_T"}
    assert suggestion.values["TIME_PERIOD"] == {"Ene-2024": "2024-01", "Feb-2024": "2024-02"}
    assert suggestion.unmatched == {"CITIZENSHIP": [("Ecuadorr", ["ECU", "AND"])]}
    assert suggestion.constants == {"REF_AREA": "PAN", "FREQ": "M", "AGE": "_T", "ACCOMPANIMENT": "_T"}
    assert suggestion.decimal == ","
    assert "No column for AGE: the figures are taken as totals (_T)." in suggestion.notes
    spanish = [note.text("es") for note in suggestion.notes]
    assert "Ninguna columna para AGE: las cifras se toman como totales (_T)." in spanish


def test_without_a_single_provider_country_a_country_column_is_the_reporting_country(standard):
    raw = read("csv/long-national.csv")
    suggestion = suggest_mapping(raw, standard.dataflow("DF_SOCIOECONOMIC"))
    assert suggestion.columns["REF_AREA"] == "Nacionalidad"


def test_a_wide_table_is_unpivoted_and_its_header_levels_mapped(standard):
    raw = read("csv/multi-row-header.csv")
    suggestion = suggest_mapping(raw, standard.dataflow("DF_RETURNS"), provider_countries=("GTM",))
    assert suggestion.unpivot is not None and len(suggestion.unpivot.value_columns) == 4
    assert suggestion.columns["OBS_VALUE"] == "_value"
    assert suggestion.columns["TIME_PERIOD"] == "_header_1"
    assert suggestion.columns["SEX"] == "_header_2"
    assert suggestion.columns["CITIZENSHIP"] == "Nacionalidad"
    assert suggestion.values["TIME_PERIOD"] == {"Enero 2024": "2024-01", "Febrero 2024": "2024-02"}


def test_the_real_panama_workbook_unpivots_into_periods_and_sexes(standard):
    raw = read("messy/INEC_Panama_EML_Cuadro2_oct2024.xlsx")
    suggestion = suggest_mapping(raw, standard.dataflow("DF_MIG_STOCK"), provider_countries=("PAN",))
    assert suggestion.values["TIME_PERIOD"] == {"Agosto 2023": "2023-08", "Octubre 2024": "2024-10"}
    assert suggestion.values["SEX"] == {"Total": "_T", "Hombres": "M", "Mujeres": "F"}
    assert suggestion.constants["FREQ"] == "M"
    long = apply_layout(raw, suggestion)
    assert long.table.num_rows == 390 * 6
    first = long.table.slice(4, 1).to_pylist()[0]
    assert first["_header_2"] == "Octubre 2024" and first["_header_3"] == "Hombres" and first["_value"] == "1616993"
    assert long.source_rows[4] == 13


def test_a_year_column_and_a_month_column_make_the_period(standard):
    raw = read("csv/year-and-month-columns.csv")
    suggestion = suggest_mapping(raw, standard.dataflow("DF_RETURNS"), provider_countries=("MEX",))
    assert suggestion.period_columns == ("Mes", "Año")
    assert suggestion.columns["TIME_PERIOD"] == PERIOD_COLUMN
    assert suggestion.values["TIME_PERIOD"] == {
        "Enero 2024": "2024-01",
        "Febrero 2024": "2024-02",
        "Marzo 2024": "2024-03",
    }
    assert suggestion.columns["COUNTERPART_AREA"] == "País de origen"


def test_sdmx_csv_columns_map_to_themselves(standard):
    raw = read("sdmx_csv_1_0/dataflow-labels.csv")
    suggestion = suggest_mapping(raw, standard.dataflow("DF_IRREGULAR_TRANSIT"))
    for component in ("FREQ", "REF_AREA", "CITIZENSHIP", "SEX", "AGE", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS"):
        assert suggestion.columns[component] == component
    assert suggestion.values["CITIZENSHIP"] == {"VEN": "VEN", "HTI": "HTI"}
    assert suggestion.constants == {}


def test_the_suggestion_applied_gives_codes(standard):
    dataflow = standard.dataflow("DF_IRREGULAR_TRANSIT")
    raw = read("csv/long-national.csv")
    suggestion = suggest_mapping(raw, dataflow, provider_countries=("PAN",))
    table = apply_layout(raw, suggestion)
    mapped = apply_mapping(table.table, table.source_rows, suggestion.as_mapping(), dataflow).table
    assert mapped.column("CITIZENSHIP").to_pylist() == ["VEN", "HTI", "USA", "Ecuadorr", "_T"]
    assert mapped.column("TIME_PERIOD").to_pylist() == ["2024-01", "2024-01", "2024-02", "2024-02", "2024-02"]
    assert set(mapped.column("REF_AREA").to_pylist()) == {"PAN"}
    assert suggestion.as_mapping().decimal == ","


def test_an_unknown_provider_country_is_refused(standard):
    from pivgm.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="'XYZ' is not a CL_AREA code"):
        suggest_mapping(read("csv/long-national.csv"), standard.dataflow("DF_RETURNS"), provider_countries=("XYZ",))


def test_a_year_column_beside_a_month_column_is_part_of_the_period_not_a_column_of_values(tmp_path, standard):
    path = tmp_path / "data.csv"
    path.write_text("Guatemala;Año;Mes\n2024;2024\n", encoding="utf-8")  # two numeric columns, one a year
    raw = read_file(path)
    suggestion = suggest_mapping(raw, standard.dataflow("DF_IRREGULAR_TRANSIT"), provider_countries=("PAN",))
    assert suggestion.period_columns == ("Mes", "Año") and suggestion.unpivot is None
    assert apply_layout(raw, suggestion).table.num_rows == 1


CELLS = st.sampled_from(
    ["Guatemala", "EE.UU.", "Hombres", "Total", "Ene-2024", "2024", "1.234,5", "..", "", "x", "Año", "Mes", "0 a 4"]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=8), st.sampled_from(sorted(FLOWS)))
def test_any_table_gets_a_suggestion_that_applies(tmp_path_factory, rows, flow):
    dataflow = load_standard().dataflow(flow)
    path = tmp_path_factory.mktemp("fuzz") / "data.csv"
    path.write_text("\n".join(";".join(row) for row in rows) + "\n", encoding="utf-8")
    try:
        raw = read_file(path)
    except SourceFormatError:
        return
    suggestion = suggest_mapping(raw, dataflow, provider_countries=("PAN",))
    table = apply_layout(raw, suggestion)
    mapped = apply_mapping(table.table, table.source_rows, suggestion.as_mapping(), dataflow)
    assert mapped.table.num_rows == table.table.num_rows
    assert set(suggestion.columns.values()) <= set(table.table.column_names)
