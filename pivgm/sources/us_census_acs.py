"""US Census Bureau, American Community Survey 1-year: conditions of the region's emigrants in the US.

Table S0201, 2009-2018, nationally: one row per population group (the whole population, the native-born, all
the foreign-born and those born in twelve countries of the region). Table S0506, 2018, nationally and by state:
the foreign-born by region of birth (Latin America, Mexico, other Central America, the Caribbean, South
America). Every estimate keeps its 90 % margin of error (``OBS_MOE``). Every year is read through its own
legend (``_acs_legend``); S0201 groups are found by their label, in column ``POPGROUP_LABEL`` or, in 2016 and
2017, ``POPGROUP_TTL``. Where S0201 and S0506 publish the same national figure, S0201's is kept. The platform
adds the share naturalised and the differences from the native-born, the whole population and all the
foreign-born (``_acs_derived``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pyarrow as pa

from pivgm.errors import SourceFormatError
from pivgm.sources._acs_derived import Estimate, difference, proportion
from pivgm.sources._acs_legend import Legend, Spec, load_spec, read_legend, read_rows
from pivgm.sources._acs_s0506 import Key, s0506_estimates
from pivgm.sources._acs_values import Found, read_estimate
from pivgm.sources.base import VENDORED_DIR, SourceImporter
from pivgm.structures import load_standard

YEARS = range(2009, 2019)
S0506_YEAR = 2018
GROUP_LABEL_COLUMNS = ("POPGROUP_LABEL", "POPGROUP_TTL")
TOTAL, NATIVE, FOREIGN_BORN, NOT_COMPARED = "_T", "NAT", "FB", "_Z"
COMPARISONS = {"DIFF_NAT": (TOTAL, NATIVE), "DIFF_TOT": (TOTAL, TOTAL), "DIFF_FB": (TOTAL, FOREIGN_BORN)}
GAP_UNITS = {"PT": ("PP", 1), "USD": ("USD", 0)}  # unit of an estimate -> unit and decimals of a difference
PROVIDER_NAME = {"es": "Oficina del Censo de los Estados Unidos", "en": "US Census Bureau"}
DIMENSIONS = ["FREQ", "REF_AREA", "STATE", "COUNTRY_OF_BIRTH", "NATIVITY", "SEX", "INDICATOR", "COMPARISON"]

Row = dict[str, str | float | None]


def data_file(year: int) -> str:
    return f"acs_s0201_{year}.csv.gz"


def legend_file(year: int) -> str:
    return f"acs_s0201_legend_{year}.csv.gz"


S0506_FILES = (f"acs_s0506_{S0506_YEAR}.csv.gz", f"acs_s0506_state_{S0506_YEAR}.csv.gz")
S0506_LEGEND = f"acs_s0506_legend_{S0506_YEAR}.csv.gz"


def _groups(rows: list[dict[str, str]], spec: Spec, file: str) -> dict[str, tuple[int, dict[str, str]]]:
    """POPGROUP label -> (file row, row) for each group the spec names; raises if one is missing."""
    column = next((c for c in GROUP_LABEL_COLUMNS if c in rows[0]), None)
    if column is None:
        raise SourceFormatError(f"no column of group labels ({' or '.join(GROUP_LABEL_COLUMNS)}).", file=file, row=1)
    found = {row[column]: (index + 2, row) for index, row in enumerate(rows) if row[column] in spec.groups}
    missing = [label for label in spec.groups if label not in found]
    if missing:
        raise SourceFormatError(f"population group {missing[0]!r} is not in column {column!r}.", file=file)
    return found


class UsCensusAcs(SourceImporter):
    """Employment, education, occupation, income, poverty and insurance of emigrants in the US, with MOEs."""

    dataflow_id = "DF_MIGRANT_CONDITIONS"
    provider_id = "US_CENSUS"
    provider_name = PROVIDER_NAME
    files = (
        *(name for year in YEARS for name in (data_file(year), legend_file(year))),
        *S0506_FILES,
        S0506_LEGEND,
    )
    source_url = "https://data.census.gov/table?q=S0201"
    licence = "Public domain (US government work)"
    citation = (
        "U.S. Census Bureau, American Community Survey 1-year estimates, tables S0201 (2009-2018) and S0506 "
        "(2018). This product uses the Census Bureau Data API but is not endorsed or certified by the Census Bureau."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        spec = load_spec()
        standard = load_standard()
        units = {c.id: c.annotations["unit_measure"] for c in standard.codelists["CL_MIGRANT_INDICATOR"]}
        rows: list[Row] = []
        for year in YEARS:
            estimates = _s0201_estimates(directory / data_file(year), read_legend(directory / legend_file(year), year))
            if year == S0506_YEAR:
                for name in S0506_FILES:
                    found = s0506_estimates(
                        directory / name, directory / S0506_LEGEND, year, spec, standard.codelists["CL_US_STATE"]
                    )
                    estimates |= {key: value for key, value in found.items() if key not in estimates}
            rows += [
                _row(year, key, NOT_COMPARED, estimate, units[key[4]], moe, note)
                for key, (estimate, moe, note) in estimates.items()
            ]
            rows += _comparisons(year, estimates, units)
        table = pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in [*DIMENSIONS, "TIME_PERIOD"]})
        table = table.append_column("OBS_VALUE", pa.array([r["OBS_VALUE"] for r in rows], pa.float64()))
        for column in ("UNIT_MEASURE", "OBS_MOE", "OBS_COMMENT"):
            table = table.append_column(column, pa.array([r[column] for r in rows], pa.string()))
        return table


def _s0201_estimates(path: Path, legend: Legend) -> dict[Key, Found]:
    """The year's S0201 estimates of every group, and the naturalised share of the foreign-born groups."""
    spec = load_spec()
    year = legend.year
    wanted = [
        (item, legend.resolve(item.labels, f"{item.indicator} ({item.sex})"))
        for item in spec.indicators
        if item.covers(year)
    ]
    counts = [legend.resolve(spec.naturalised[part], part) for part in ("numerator", "denominator")]
    variables = [*(v for _, v in wanted), *counts]
    needed = {*GROUP_LABEL_COLUMNS, *variables, *(v[:-1] + "M" for v in variables)}
    estimates: dict[Key, Found] = {}
    for label, (line, row) in _groups(read_rows(path, needed), spec, path.name).items():
        birth, nativity = spec.groups[label]
        for item, variable in wanted:
            found = read_estimate(row, variable, path.name, line)
            if found is not None:
                estimates[(TOTAL, birth, nativity, item.sex, item.indicator)] = found
        if nativity == FOREIGN_BORN:
            share = _naturalised(row, legend, spec, path.name, line)
            if share is not None:
                estimates[(TOTAL, birth, nativity, TOTAL, "NATURALISED")] = (share, _text(share.moe, 1), None)
    return estimates


def _naturalised(row: Mapping[str, str], legend: Legend, spec: Spec, file: str, line: int) -> Estimate | None:
    part = read_estimate(row, legend.resolve(spec.naturalised["numerator"], "naturalised citizens"), file, line)
    whole = read_estimate(row, legend.resolve(spec.naturalised["denominator"], "foreign-born"), file, line)
    if part is None or whole is None:
        return None
    return proportion(part[0], whole[0])


def _comparisons(year: int, estimates: Mapping[Key, Found], units: Mapping[str, str]) -> Iterator[Row]:
    """Each foreign-born group's difference from the native-born, the whole population and all the
    foreign-born of the same place, where the comparison group is published."""
    for key, (estimate, _, _) in estimates.items():
        state, birth, nativity, sex, indicator = key
        if nativity != FOREIGN_BORN or units[indicator] not in GAP_UNITS:
            continue
        unit, decimals = GAP_UNITS[units[indicator]]
        for comparison, (other_birth, other_nativity) in COMPARISONS.items():
            if (other_birth, other_nativity) == (birth, nativity):
                continue
            other = estimates.get((state, other_birth, other_nativity, sex, indicator))
            if other is not None:
                gap = difference(estimate, other[0], decimals)
                yield _row(year, key, comparison, gap, unit, _text(gap.moe, decimals), None)


def _text(moe: float | None, decimals: int) -> str | None:
    return None if moe is None else f"{moe:.{decimals}f}"


def _row(year: int, key: Key, comparison: str, estimate: Estimate, unit: str, moe: str | None, note: str | None) -> Row:
    state, birth, nativity, sex, indicator = key
    return {
        "FREQ": "A",
        "REF_AREA": "USA",
        "STATE": state,
        "COUNTRY_OF_BIRTH": birth,
        "NATIVITY": nativity,
        "SEX": sex,
        "INDICATOR": indicator,
        "COMPARISON": comparison,
        "TIME_PERIOD": str(year),
        "OBS_VALUE": estimate.value,
        "UNIT_MEASURE": unit,
        "OBS_MOE": moe,
        "OBS_COMMENT": note,
    }
