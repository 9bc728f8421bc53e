"""US Census Bureau, ACS 1-year table S0201: conditions of the region's emigrants in the United States.

One row per population group and year (the whole population, the native-born, all the foreign-born and those
born in twelve countries of the region), each estimate with its 90 % margin of error (``OBS_MOE``). Every
year is read through its own legend (``_acs_legend``); groups are found by their label, which is in column
``POPGROUP_LABEL`` or, in 2016 and 2017, ``POPGROUP_TTL``. The platform adds the share naturalised and the
differences from the native-born, the whole population and all the foreign-born (``_acs_derived``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pyarrow as pa

from pivgm.errors import SourceFormatError
from pivgm.sources._acs_derived import Estimate, difference, proportion
from pivgm.sources._acs_legend import Legend, Spec, load_spec, read_legend, read_rows
from pivgm.sources.base import VENDORED_DIR, SourceImporter
from pivgm.structures import load_standard

YEARS = range(2009, 2019)
GROUP_LABEL_COLUMNS = ("POPGROUP_LABEL", "POPGROUP_TTL")
CONTROLLED = "-555555555"  # annotation "*****": an estimate controlled to official figures, no sampling error
CONTROLLED_NOTE = "Controlled estimate: no sampling error (Census Bureau annotation *****)."
NO_MOE_NOTE = "The Census Bureau publishes no margin of error for this estimate."
SPECIAL = -100_000_000  # the Census Bureau's special values (-666666666, -222222222...) are below this
TOTAL, NATIVE, FOREIGN_BORN, NOT_COMPARED = "_T", "NAT", "FB", "_Z"
COMPARISONS = {"DIFF_NAT": (TOTAL, NATIVE), "DIFF_TOT": (TOTAL, TOTAL), "DIFF_FB": (TOTAL, FOREIGN_BORN)}
GAP_UNITS = {"PT": ("PP", 1), "USD": ("USD", 0)}  # unit of an estimate -> unit and decimals of a difference
PROVIDER_NAME = {"es": "Oficina del Censo de los Estados Unidos", "en": "US Census Bureau"}

Row = dict[str, str | float | None]
Found = tuple[Estimate, str | None, str | None]  # estimate, its MOE as published, a note
GroupKey = tuple[str, str, str, str]  # COUNTRY_OF_BIRTH, NATIVITY, SEX, INDICATOR


def data_file(year: int) -> str:
    return f"acs_s0201_{year}.csv.gz"


def legend_file(year: int) -> str:
    return f"acs_s0201_legend_{year}.csv.gz"


def _estimate(text: str, file: str, row: int, column: str) -> float | None:
    """A published estimate; None for the special values that stand for "not computable" or "not available"."""
    if text in ("", "null"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise SourceFormatError(f"{text!r} is not a number.", file=file, row=row, column=column) from None
    return None if value <= SPECIAL else value


def _moe(text: str, file: str, row: int, column: str) -> tuple[str | None, float | None, str | None]:
    """(text kept as published, value for arithmetic, note) of a margin of error."""
    if text == CONTROLLED:
        return None, 0.0, CONTROLLED_NOTE
    value = _estimate(text, file, row, column)
    if value is None:
        return None, None, NO_MOE_NOTE
    if value < 0:
        raise SourceFormatError(f"a margin of error cannot be negative ({text}).", file=file, row=row, column=column)
    return text, value, None


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
    files = tuple(name for year in YEARS for name in (data_file(year), legend_file(year)))
    source_url = "https://data.census.gov/table?q=S0201"
    licence = "Public domain (US government work)"
    citation = (
        "U.S. Census Bureau, American Community Survey 1-year estimates, table S0201, 2009-2018. "
        "This product uses the Census Bureau Data API but is not endorsed or certified by the Census Bureau."
    )

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        spec = load_spec()
        rows: list[Row] = []
        for year in YEARS:
            legend = read_legend(directory / legend_file(year), year)
            rows += _year_rows(directory / data_file(year), legend, spec)
        columns = [*(k for k in rows[0] if k not in ("OBS_VALUE",)), "OBS_VALUE"]
        table = pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in columns if c != "OBS_VALUE"})
        table = table.append_column("OBS_VALUE", pa.array([r["OBS_VALUE"] for r in rows], pa.float64()))
        order = ["FREQ", "REF_AREA", "COUNTRY_OF_BIRTH", "NATIVITY", "SEX", "INDICATOR", "COMPARISON"]
        return table.select([*order, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "OBS_MOE", "OBS_COMMENT"])


def _year_rows(path: Path, legend: Legend, spec: Spec) -> list[Row]:
    """The year's estimates of every group, then the naturalised share and the comparisons."""
    year = legend.year
    groups = _groups(read_rows(path), spec, path.name)
    units = _units()
    estimates: dict[GroupKey, Found] = {}
    wanted = [
        (item, legend.resolve(item.labels, f"{item.indicator} ({item.sex})"))
        for item in spec.indicators
        if item.covers(year)
    ]
    for label, (line, row) in groups.items():
        birth, nativity = spec.groups[label]
        for item, variable in wanted:
            found = _read(row, variable, path.name, line)
            if found is not None:
                estimates[(birth, nativity, item.sex, item.indicator)] = found
        if nativity == FOREIGN_BORN:
            share = _naturalised(row, legend, spec, path.name, line)
            if share is not None:
                estimates[(birth, nativity, TOTAL, "NATURALISED")] = (share, _text(share.moe, 1), None)
    rows = [
        _row(year, key, "_Z", estimate, units[key[3]], moe_text, note)
        for key, (estimate, moe_text, note) in estimates.items()
    ]
    rows += _comparisons(year, estimates, units)
    return rows


def _read(row: Mapping[str, str], variable: str, file: str, line: int) -> Found | None:
    moe_column = variable[:-1] + "M"
    for column in (variable, moe_column):
        if column not in row:
            raise SourceFormatError("the column the legend names is not in the file.", file=file, row=1, column=column)
    value = _estimate(row[variable], file, line, variable)
    if value is None:
        return None
    text, moe, note = _moe(row[moe_column], file, line, moe_column)
    return Estimate(value, moe), text, note


def _naturalised(row: Mapping[str, str], legend: Legend, spec: Spec, file: str, line: int) -> Estimate | None:
    part = _read(row, legend.resolve(spec.naturalised["numerator"], "naturalised citizens"), file, line)
    whole = _read(row, legend.resolve(spec.naturalised["denominator"], "foreign-born"), file, line)
    if part is None or whole is None:
        return None
    return proportion(part[0], whole[0])


def _comparisons(year: int, estimates: Mapping[GroupKey, Found], units: Mapping[str, str]) -> Iterator[Row]:
    """Each foreign-born group's difference from the native-born, the whole population and all foreign-born."""
    for key, (estimate, _, _) in estimates.items():
        birth, nativity, sex, indicator = key
        if nativity != FOREIGN_BORN or units[indicator] not in GAP_UNITS:
            continue
        unit, decimals = GAP_UNITS[units[indicator]]
        for comparison, (other_birth, other_nativity) in COMPARISONS.items():
            if (other_birth, other_nativity) == (birth, nativity):
                continue
            other = estimates.get((other_birth, other_nativity, sex, indicator))
            if other is not None:
                gap = difference(estimate, other[0], decimals)
                yield _row(year, key, comparison, gap, unit, _text(gap.moe, decimals), None)


def _text(moe: float | None, decimals: int) -> str | None:
    return None if moe is None else f"{moe:.{decimals}f}"


def _row(
    year: int,
    key: GroupKey,
    comparison: str,
    estimate: Estimate,
    unit: str,
    moe: str | None,
    note: str | None,
) -> Row:
    birth, nativity, sex, indicator = key
    return {
        "FREQ": "A",
        "REF_AREA": "USA",
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


def _units() -> dict[str, str]:
    """Each indicator's unit, from the codelist annotation ``unit_measure``."""
    codelist = load_standard().codelists["CL_MIGRANT_INDICATOR"]
    return {code.id: code.annotations["unit_measure"] for code in codelist}
