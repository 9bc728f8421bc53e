"""National labels to codes: sex, age and periods, and matching by codelist names and aliases."""

from __future__ import annotations

import pytest

from pivgm.ingest.labels import (
    age_code,
    combine_period,
    load_aliases,
    match_periods,
    matcher_for,
    normalise,
    parse_period_label,
)
from pivgm.structures import load_standard


@pytest.fixture(scope="module")
def standard():
    return load_standard()


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Hombres", "M"),
        ("HOMBRES", "M"),
        ("Masculino", "M"),
        ("Male", "M"),
        ("Mujeres", "F"),
        ("femenino", "F"),
        ("Women", "F"),
        ("Total", "_T"),
        ("Ambos sexos", "_T"),
        ("No especificado", "_U"),
        ("M", "M"),
        ("f", "F"),
        ("_T", "_T"),
        ("Hombres (1)", "M"),
    ],
)
def test_sex_labels(standard, label, code):
    assert matcher_for(standard.codelist("CL_SEX")).match(label) == code


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("0 a 4 años", "Y0T4"),
        ("0-4", "Y0T4"),
        ("De 5 a 9 años", "Y5T9"),
        ("18 – 59", "Y18T59"),
        ("60 y más", "Y_GE60"),
        ("60+", "Y_GE60"),
        ("80 años y más", "Y_GE80"),
        ("65 o más", "Y_GE65"),
        ("más de 64", "Y_GE65"),
        ("Menores de 18", "Y_LT18"),
        ("Menos de 12 años", "Y_LT12"),
        ("Under 18 years", "Y_LT18"),
        ("Niñas, niños y adolescentes", "Y_LT18"),
        ("Todas las edades", "_T"),
        ("Total", "_T"),
        ("Edad desconocida", "_U"),
    ],
)
def test_age_labels(standard, label, code):
    assert matcher_for(standard.codelist("CL_AGE")).match(label) == code


def test_an_age_range_the_codelist_lacks_matches_nothing(standard):
    assert age_code("3 a 7 años") == "Y3T7"
    assert matcher_for(standard.codelist("CL_AGE")).match("3 a 7 años") is None
    assert matcher_for(standard.codelist("CL_AGE")).match("17 años") is None


@pytest.mark.parametrize(
    ("label", "period"),
    [
        ("Ene-2024", "2024-01"),
        ("ene-24", "2024-01"),
        ("enero 2024", "2024-01"),
        ("Enero de 2024", "2024-01"),
        ("Diciembre del 2022", "2022-12"),
        ("Sept. 2023", "2023-09"),
        ("setiembre 2023", "2023-09"),
        ("Jan-2024", "2024-01"),
        ("2024-01", "2024-01"),
        ("2024/01", "2024-01"),
        ("01/2024", "2024-01"),
        ("2024M01", "2024-01"),
        ("2024T1", "2024-Q1"),
        ("2024-Q1", "2024-Q1"),
        ("T1 2024", "2024-Q1"),
        ("1T2024", "2024-Q1"),
        ("I trim 2024", "2024-Q1"),
        ("IV Trimestre 2023", "2023-Q4"),
        ("Primer trimestre 2024", "2024-Q1"),
        ("1er trimestre 2024", "2024-Q1"),
        ("2024", "2024"),
        ("Año 2024", "2024"),
        ("2023 (p)", "2023"),
    ],
)
def test_period_labels(label, period):
    assert parse_period_label(label) == period


@pytest.mark.parametrize("label", ["2024-13", "Guatemala", "12345", "24", "2024 S1", "Total", ""])
def test_labels_that_are_not_periods(label):
    assert parse_period_label(label) is None


def test_dates_are_periods_only_when_the_column_says_which():
    assert match_periods(["2024-01-01", "2024-02-01"]) == {"2024-01-01": "2024-01", "2024-02-01": "2024-02"}
    assert match_periods(["2020-01-01", "2021-01-01"]) == {"2020-01-01": "2020", "2021-01-01": "2021"}
    assert match_periods(["01/03/2024"]) == {"01/03/2024": "2024-03"}  # day first
    assert match_periods(["2024-01-15", "2024-02-01"]) == {}


def test_a_period_in_two_columns():
    assert combine_period("2024", "Enero") == "2024-01"
    assert combine_period("2024", "T2") == "2024-Q2"
    assert combine_period("2024", "Trimestre III") == "2024-Q3"


def test_normalising_ignores_case_accents_punctuation_and_footnote_marks():
    assert normalise("  Panamá  Oeste (2)") == "panama oeste"
    assert normalise("EE.UU.") == "ee uu"
    assert normalise("Haití 1/") == "haiti"


def test_every_alias_table_names_codes_of_its_codelist(standard):
    for codelist_id in ("CL_AREA", "CL_SEX", "CL_AGE"):
        codes = standard.codelist(codelist_id).ids()
        assert set(load_aliases(codelist_id)) <= codes, codelist_id


def test_closest_codes_are_hints_for_a_misspelt_label(standard):
    matcher = matcher_for(standard.codelist("CL_SEX"))
    assert matcher.match("Hombrs") is None
    assert matcher.closest("Hombrs")[0] == "M"
