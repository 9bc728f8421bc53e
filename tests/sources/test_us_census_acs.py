"""ACS S0201 importer: every figure is the one the raw file holds under that year's own legend, with its MOE.

The helpers below read the vendored files with nothing but ``csv``: they find a variable by the full label the
Census Bureau gave it that year, and a group by its label in whichever column holds it that year.
"""

from __future__ import annotations

import csv
import gzip
import math
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.us_census_acs import UsCensusAcs
from pivgm.structures import load_standard

POVERTY = "Estimate!!POVERTY RATES FOR FAMILIES AND PEOPLE FOR WHOM POVERTY STATUS IS DETERMINED!!All people"
POPULATION = "Estimate!!TOTAL NUMBER OF RACES REPORTED!!Total population"
INSURANCE = "Estimate!!HEALTH INSURANCE COVERAGE!!"
UNINSURED_2009 = INSURANCE + "Civilian Noninstitutionalized Population!!No health insurance coverage"
UNINSURED = INSURANCE + "Civilian noninstitutionalized population!!No health insurance coverage"
INCOME_2009 = (
    "Estimate!!INCOME IN THE PAST 12 MONTHS (IN 2009 INFLATION-ADJUSTED DOLLARS)!!Households!!"
    "Median household income (dollars)"
)
FEMALES_16 = "Estimate!!EMPLOYMENT STATUS!!Females 16 years and over"
IN_LABOR_FORCE_2010 = "Estimate!!EMPLOYMENT STATUS!!In labor force"
FOREIGN_BORN = "Estimate!!PLACE OF BIRTH, CITIZENSHIP STATUS AND YEAR OF ENTRY!!Foreign born"
NATURALISED = FOREIGN_BORN + "!!Foreign born; naturalized U.S. citizen"


def rows(name: str) -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def variables(year: int, label: str) -> list[str]:
    """The estimate variables the year's legend gives ``label``, in file order."""
    return [r["VARIABLE"] for r in rows(f"acs_s0201_legend_{year}.csv.gz") if r["LABEL"] == label]


def raw(year: int, group: str, variable: str) -> tuple[str, str]:
    """(estimate, margin of error) as published for ``group`` (its label) in ``year``."""
    for row in rows(f"acs_s0201_{year}.csv.gz"):
        if row.get("POPGROUP_LABEL", row.get("POPGROUP_TTL")) == group:
            return row[variable], row[variable[:-1] + "M"]
    raise AssertionError(f"no group {group!r} in {year}")


def by_label(year: int, group: str, label: str) -> tuple[str, str]:
    (variable,) = dict.fromkeys(variables(year, label))
    return raw(year, group, variable)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return UsCensusAcs().read()


_ROWS: dict[int, list[dict[str, object]]] = {}


def rows_of(table: pa.Table) -> list[dict[str, object]]:
    if id(table) not in _ROWS:
        _ROWS[id(table)] = table.to_pylist()
    return _ROWS[id(table)]


def observation(table: pa.Table, year: int, birth: str, indicator: str, **key: str) -> dict[str, object]:
    want = {
        "STATE": key.get("state", "_T"),
        "TIME_PERIOD": str(year),
        "COUNTRY_OF_BIRTH": birth,
        "NATIVITY": key.get("nativity", "FB"),
        "INDICATOR": indicator,
        "SEX": key.get("sex", "_T"),
        "COMPARISON": key.get("comparison", "_Z"),
    }
    found = [r for r in rows_of(table) if all(r[k] == v for k, v in want.items())]
    assert len(found) == 1, want
    return found[0]


def test_headline_2018_figures_match_the_census_bureau(table):
    """US population 327,167,439; Mexico-born 11,171,893; Guatemalan-born poverty rate 21.2 %."""
    us = observation(table, 2018, "_T", "POPULATION", nativity="_T")
    mexico = observation(table, 2018, "MEX", "POPULATION")
    guatemala = observation(table, 2018, "GTM", "POVERTY")
    assert us["OBS_VALUE"] == 327_167_439 == float(by_label(2018, "Total population", POPULATION)[0])
    assert (mexico["OBS_VALUE"], mexico["OBS_MOE"]) == (11_171_893, "79577")
    assert (mexico["OBS_VALUE"], mexico["OBS_MOE"]) == (float(by_label(2018, "Mexico", POPULATION)[0]), "79577")
    assert guatemala["OBS_VALUE"] == 21.2 == float(by_label(2018, "Guatemala", POVERTY)[0])
    assert guatemala["UNIT_MEASURE"] == "PT"


@pytest.mark.parametrize(
    ("year", "group", "birth", "nativity", "indicator", "label"),
    [
        (2009, "Honduras", "HND", "FB", "UNINSURED", UNINSURED_2009),
        (2018, "Honduras", "HND", "FB", "UNINSURED", UNINSURED),
        (2018, "Foreign born", "_T", "FB", "UNINSURED", UNINSURED),
        (2009, "Native", "_T", "NAT", "MEDIAN_HH_INCOME", INCOME_2009),
        (2016, "El Salvador", "SLV", "FB", "POVERTY", POVERTY),  # group labels in POPGROUP_TTL
        (2017, "Haiti", "HTI", "FB", "POPULATION", POPULATION),
        (2013, "Venezuela", "VEN", "FB", "UNINSURED", UNINSURED),
    ],
)
def test_estimates_and_margins_equal_the_raw_file_read_through_the_years_legend(
    table, year, group, birth, nativity, indicator, label
):
    estimate, moe = by_label(year, group, label)
    found = observation(table, year, birth, indicator, nativity=nativity)
    assert (found["OBS_VALUE"], found["OBS_MOE"]) == (float(estimate), moe)


def test_honduras_uninsured_fell_from_63_4_to_53_1_against_19_5_of_all_foreign_born(table):
    assert observation(table, 2009, "HND", "UNINSURED")["OBS_VALUE"] == 63.4
    assert observation(table, 2018, "HND", "UNINSURED")["OBS_VALUE"] == 53.1
    assert observation(table, 2018, "_T", "UNINSURED")["OBS_VALUE"] == 19.5


def test_a_label_repeated_in_a_flattened_legend_is_read_after_its_anchor(table):
    """2010 labels women's labour-force participation exactly like everyone's: the one after 'Females'.

    Fails if the importer ignores the anchor (checked by removing it once)."""
    repeated = variables(2010, IN_LABOR_FORCE_2010)
    (anchor,) = dict.fromkeys(variables(2010, FEMALES_16))
    women = next(v for v in repeated if int(v[6:-1]) > int(anchor[6:-1]))
    everyone = repeated[0]
    assert women != everyone
    assert observation(table, 2010, "MEX", "LABOUR_FORCE", sex="F")["OBS_VALUE"] == float(raw(2010, "Mexico", women)[0])
    assert observation(table, 2010, "MEX", "LABOUR_FORCE")["OBS_VALUE"] == float(raw(2010, "Mexico", everyone)[0])


def test_median_household_income_is_found_under_each_years_own_code(table):
    """2009 numbers it S0201_217E, later years S0201_214E or S0201_0214E: the label decides."""
    codes = {year: variables(year, label) for year, label in [(2009, INCOME_2009)]}
    assert codes[2009] == ["S0201_217E"]
    assert observation(table, 2009, "_T", "MEDIAN_HH_INCOME", nativity="_T")["OBS_VALUE"] == float(
        raw(2009, "Total population", "S0201_217E")[0]
    )


def test_the_controlled_total_population_has_no_margin_but_a_note(table):
    found = observation(table, 2018, "_T", "POPULATION", nativity="_T")
    assert raw(2018, "Total population", "S0201_001E")[1] == "-555555555"
    assert found["OBS_MOE"] is None
    assert "Controlled estimate" in str(found["OBS_COMMENT"])


def test_gaps_are_differences_with_the_census_bureau_moe_of_a_difference(table):
    """Fails if the MOE of a difference is not √(MOE₁² + MOE₂²) (checked by adding the margins once)."""
    honduras, honduras_moe = by_label(2018, "Honduras", UNINSURED)
    native, native_moe = by_label(2018, "Native", UNINSURED)
    gap = observation(table, 2018, "HND", "UNINSURED", comparison="DIFF_NAT")
    assert gap["OBS_VALUE"] == round(float(honduras) - float(native), 1)
    assert gap["OBS_MOE"] == f"{math.sqrt(float(honduras_moe) ** 2 + float(native_moe) ** 2):.1f}"
    assert gap["UNIT_MEASURE"] == "PP"
    income = observation(table, 2009, "MEX", "MEDIAN_HH_INCOME", comparison="DIFF_TOT")
    mexico, total = raw(2009, "Mexico", "S0201_217E"), raw(2009, "Total population", "S0201_217E")
    assert income["OBS_VALUE"] == float(mexico[0]) - float(total[0])
    assert income["OBS_MOE"] == f"{math.hypot(float(mexico[1]), float(total[1])):.0f}"
    assert income["UNIT_MEASURE"] == "USD"


def test_the_naturalised_share_uses_the_census_bureau_formula_for_proportions(table):
    part, part_moe = map(float, by_label(2018, "Guatemala", NATURALISED))
    whole, whole_moe = map(float, by_label(2018, "Guatemala", FOREIGN_BORN))
    p = part / whole
    found = observation(table, 2018, "GTM", "NATURALISED")
    assert found["OBS_VALUE"] == round(100 * p, 1)
    assert found["OBS_MOE"] == f"{100 * math.sqrt(part_moe**2 - p**2 * whole_moe**2) / whole:.1f}"


def test_every_indicator_has_spanish_and_english_names_a_definition_and_data(table):
    codelist = load_standard().codelists["CL_MIGRANT_INDICATOR"]
    for code in codelist:
        assert code.name.get("es") and code.name.get("en"), code.id
        assert code.description.get("es") and code.description.get("en"), code.id
    assert set(table.column("INDICATOR").to_pylist()) == codelist.ids()


def test_the_table_has_the_dataflow_columns_unique_keys_and_known_codes(table):
    dataflow = load_standard().dataflows[UsCensusAcs.dataflow_id]
    keys = [*dataflow.structure.dimension_ids, "TIME_PERIOD"]
    assert table.column_names == [*keys, "OBS_VALUE", "UNIT_MEASURE", "OBS_MOE", "OBS_COMMENT"]
    assert len({tuple(r[k] for k in keys) for r in table.to_pylist()}) == table.num_rows
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids()
    assert set(table.column("TIME_PERIOD").to_pylist()) == {str(y) for y in range(2009, 2019)}
    assert table.column("REF_AREA").unique().to_pylist() == ["USA"]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for path in VENDORED_DIR.glob("acs_s0*.csv.gz"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def rewrite(path: Path, old: str, new: str) -> None:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        text = f.read()
    assert old in text
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(text.replace(old, new))


def test_a_label_missing_from_a_years_legend_stops_the_import_naming_file_and_indicator(copy):
    """Fails if the importer mapped by position: the variable is still there, only its label changed."""
    rewrite(copy / "acs_s0201_legend_2014.csv.gz", "!!All people,", "!!Everybody,")
    with pytest.raises(SourceFormatError, match=r"acs_s0201_legend_2014.csv.gz: POVERTY \(_T\): none of its labels"):
        UsCensusAcs().read(copy)


def test_a_missing_population_group_stops_the_import(copy):
    rewrite(copy / "acs_s0201_2016.csv.gz", "Honduras", "Hondur")
    with pytest.raises(SourceFormatError, match=r"acs_s0201_2016.csv.gz: population group 'Honduras'"):
        UsCensusAcs().read(copy)


def test_a_file_without_group_labels_stops_the_import(copy):
    rewrite(copy / "acs_s0201_2017.csv.gz", "POPGROUP_TTL", "GROUP_NAME")
    with pytest.raises(SourceFormatError, match=r"acs_s0201_2017.csv.gz, row 1: no column of group labels"):
        UsCensusAcs().read(copy)


def test_a_margin_that_is_not_a_number_is_rejected_naming_row_and_column(copy):
    rewrite(copy / "acs_s0201_2018.csv.gz", ",79577,", ",79 577,")
    with pytest.raises(SourceFormatError, match=r"acs_s0201_2018.csv.gz, row \d+, column 'S0201_001M'"):
        UsCensusAcs().read(copy)


OTHER_CENTRAL_AMERICA = "Estimate!!Foreign born; Born in Other Central America!!"
S0506_POVERTY = "POVERTY STATUS IN THE PAST 12 MONTHS!!Population for whom poverty status is determined!!"


def s0506(name: str, row_name: str, label: str) -> tuple[str, str]:
    """(estimate, margin) of ``label`` in the row named ``row_name`` of an S0506 file, via the 2018 legend."""
    (variable,) = [r["VARIABLE"] for r in rows("acs_s0506_legend_2018.csv.gz") if r["LABEL"] == label]
    (row,) = [r for r in rows(name) if r["NAME"] == row_name]
    return row[variable], row[variable[:-1] + "M"]


def test_state_estimates_come_from_s0506_read_through_its_legend(table):
    """People born in Central America except Mexico living in California, 2018: in poverty, and how many."""
    poverty = s0506(
        "acs_s0506_state_2018.csv.gz",
        "California",
        OTHER_CENTRAL_AMERICA + S0506_POVERTY + "Below 100 percent of the poverty level",
    )
    people = s0506("acs_s0506_state_2018.csv.gz", "California", OTHER_CENTRAL_AMERICA + "Foreign-born population")
    found = observation(table, 2018, "CAMX", "POVERTY", state="US-CA")
    assert (found["OBS_VALUE"], found["OBS_MOE"]) == (float(poverty[0]), poverty[1]) == (16.2, "0.9")
    count = observation(table, 2018, "CAMX", "POPULATION", state="US-CA")
    assert (count["OBS_VALUE"], count["OBS_MOE"]) == (float(people[0]), people[1])
    texas = observation(table, 2018, "MEX", "MEDIAN_HH_INCOME", state="US-TX")
    label = (
        "Estimate!!Foreign born; Born in Mexico!!INCOME IN THE PAST 12 MONTHS (IN 2018 INFLATION-ADJUSTED DOLLARS)!!"
    )
    assert texas["OBS_VALUE"] == float(
        s0506("acs_s0506_state_2018.csv.gz", "Texas", label + "Households!!Median Household income (dollars)")[0]
    )


def test_every_state_the_census_bureau_publishes_has_estimates(table):
    """S0506 1-year tables leave states with few Latin American-born people empty ("null")."""
    (variable,) = [
        r["VARIABLE"]
        for r in rows("acs_s0506_legend_2018.csv.gz")
        if r["LABEL"] == "Estimate!!Foreign born; Born in Latin America!!Foreign-born population"
    ]
    published = {r["NAME"] for r in rows("acs_s0506_state_2018.csv.gz") if r[variable] not in ("null", "")}
    states = load_standard().codelists["CL_US_STATE"]
    found = {r["STATE"] for r in rows_of(table)} - {"_T"}
    assert {states.get(code).name.get("en") for code in found} == published
    assert {"US-CA", "US-TX", "US-FL", "US-PR"} <= found and len(found) == 37


def test_national_figures_published_by_both_tables_are_kept_once(table):
    """Mexico-born 2018: 11,171,893 in S0201 and in S0506; the flow holds one observation."""
    s0506_mexico = s0506(
        "acs_s0506_2018.csv.gz", "United States", "Estimate!!Foreign born; Born in Mexico!!Foreign-born population"
    )
    assert float(s0506_mexico[0]) == 11_171_893 == observation(table, 2018, "MEX", "POPULATION")["OBS_VALUE"]
    latin_america = observation(table, 2018, "LAC", "POPULATION")  # only in S0506
    assert latin_america["OBS_VALUE"] == float(
        s0506(
            "acs_s0506_2018.csv.gz",
            "United States",
            "Estimate!!Foreign born; Born in Latin America!!Foreign-born population",
        )[0]
    )


def test_a_state_whose_fips_code_does_not_match_its_name_stops_the_import(copy):
    rewrite(copy / "acs_s0506_state_2018.csv.gz", "null,02\n", "null,03\n")  # Alaska's FIPS code ends its row
    with pytest.raises(SourceFormatError, match=r"acs_s0506_state_2018.csv.gz, row 2, column 'state': Alaska has FIPS"):
        UsCensusAcs().read(copy)


def test_licence_and_citation_are_the_ones_the_census_bureau_asks_for():
    """Public domain; cite the survey, table and year; say the product is not endorsed by the Bureau."""
    metadata = load_standard().dataflows[UsCensusAcs.dataflow_id].metadata
    for text in (metadata.licence.get("en"), UsCensusAcs.citation):
        assert "U.S. Census Bureau, American Community Survey 1-year estimates" in text
        assert "not endorsed or certified by the Census Bureau" in text
    assert "public domain" in metadata.licence.get("en").lower() and "S0506 (2018)" in metadata.licence.get("en")
    assert "dominio público" in metadata.licence.get("es").lower()
