"""ACS table S0506 (foreign-born by region of birth: Latin America): nationally and by state, 2018.

Each population group is a set of columns whose labels begin ``Estimate!!<group>!!`` ("Foreign born; Born
in Mexico"); each group is read through the legend restricted to its own labels. States are found by name and
checked against their FIPS code (``CL_US_STATE`` annotation ``fips``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pivgm.errors import SourceFormatError
from pivgm.model import Codelist
from pivgm.sources._acs_legend import Spec, legend_rows, read_legend, read_rows
from pivgm.sources._acs_values import Found, read_estimate

TOTAL, FOREIGN_BORN = "_T", "FB"
Key = tuple[str, str, str, str, str]  # STATE, COUNTRY_OF_BIRTH, NATIVITY, SEX, INDICATOR


def _state(row: Mapping[str, str], names: Mapping[str, tuple[str, str]], file: str, line: int) -> str:
    """The state's code, from its name, checked against the file's FIPS code; _T for a national file."""
    if "state" not in row:
        return TOTAL
    found = names.get(row.get("NAME", ""))
    if found is None:
        raise SourceFormatError(f"{row.get('NAME')!r} is not a state of CL_US_STATE.", file=file, row=line)
    code, fips = found
    if row["state"] != fips:
        raise SourceFormatError(
            f"{row['NAME']} has FIPS code {row['state']!r}, not {fips!r}.", file=file, row=line, column="state"
        )
    return code


def s0506_estimates(data: Path, legend: Path, year: int, spec: Spec, states: Codelist) -> dict[Key, Found]:
    """Every group's estimates in every row (the nation, or each state) of an S0506 file."""
    rows = legend_rows(legend)
    names = {code.name.get("en"): (code.id, code.annotations.get("fips", "")) for code in states}
    wanted = []
    for group, birth in spec.s0506_groups.items():
        group_legend = read_legend(legend, year, group, rows)
        if not group_legend.variables:
            raise SourceFormatError(f"no label of group {group!r} in the {year} legend.", file=legend.name)
        for item in spec.s0506_indicators:
            variable = group_legend.resolve(item.labels, f"{item.indicator} ({item.sex}) of {group}")
            wanted.append((birth, item.sex, item.indicator, variable))
    estimates: dict[Key, Found] = {}
    needed = {"NAME", "state", *(v for *_, v in wanted), *(v[:-1] + "M" for *_, v in wanted)}
    for index, row in enumerate(read_rows(data, needed)):
        line = index + 2
        state = _state(row, names, data.name, line)
        for birth, sex, indicator, variable in wanted:
            found = read_estimate(row, variable, data.name, line)
            if found is not None:
                estimates[(state, birth, FOREIGN_BORN, sex, indicator)] = found
    return estimates
