"""Aggregation recipes: how the fields of individual records become the dimensions of one dataflow.

A recipe is YAML in the words of submission mappings (``columns``, ``values``, ``constants``, ``period`` with
``dates``, ``frequency`` and ``fiscal_year_start``), plus what only records need: the birth date that gives
an age group, the period range records must fall in, the dimensions that get totals, and the fields that
identify a record (``record_key``, for the cell-key method). Example::

    recipe: 1
    dataflow: DF_RETURNS
    read: {delimiter: "|"}
    period: {column: Departed Date, dates: mdy, frequency: M, from: 2012-01, to: 2019-06}
    columns: {CITIZENSHIP: Country of Citizenship, SEX: Gender}
    age: {birth_date: Date of Birth, dates: mdy, groups: [Y_LT18, Y_GE18]}
    values: {SEX: {Male: M, Female: F}}
    constants: {FREQ: M, REF_AREA: USA, UNIT_MEASURE: PS}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from pivgm.errors import InvalidParameterError
from pivgm.model import Dataflow

TOTAL = "_T"
AGE = "AGE"
DATE_ORDERS = ("dmy", "mdy", "ymd")
FREQUENCIES = ("A", "Q", "M")
_KEYS = {
    "recipe", "title", "dataflow", "read", "period", "columns", "age", "values", "constants", "totals", "measure",
    "record_key",
}  # fmt: skip
_AGE_CODE = re.compile(r"^Y(?:(?P<low>\d+)T(?P<high>\d+)|_LT(?P<lt>\d+)|_GE(?P<ge>\d+))$")


def _fail(where: str, message: str) -> InvalidParameterError:
    return InvalidParameterError(f"recipe {where}: {message}")


@dataclass(frozen=True)
class PeriodRule:
    """Event date -> SDMX period: field, order of day/month/year, frequency, first month of the fiscal year
    (1 = calendar years), and the first and last period records may fall in."""

    column: str
    dates: str = "dmy"
    frequency: str = "M"
    fiscal_year_start: int = 1
    first: str | None = None
    last: str | None = None


@dataclass(frozen=True)
class AgeGroup:
    """A CL_AGE code and the ages (in completed years) it covers: ``low <= age <= high``."""

    code: str
    low: int
    high: int


@dataclass(frozen=True)
class AgeRule:
    """Birth date -> age at the event date -> the first age group that covers it."""

    birth_date: str
    dates: str
    groups: tuple[AgeGroup, ...]


@dataclass(frozen=True)
class Recipe:
    """A checked recipe for one dataflow (see the module docstring)."""

    dataflow: str
    period: PeriodRule
    columns: Mapping[str, str]
    constants: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    age: AgeRule | None = None
    totals: tuple[str, ...] = ()
    delimiter: str | None = None
    measure: str | None = None
    record_key: tuple[str, ...] = ()
    title: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        """The record fields the recipe reads."""
        names = [self.period.column, *self.columns.values()]
        if self.age is not None:
            names.append(self.age.birth_date)
        if self.measure is not None:
            names.append(self.measure)
        return tuple(dict.fromkeys([*names, *self.record_key]))

    @property
    def mapped_dimensions(self) -> tuple[str, ...]:
        """Dimensions whose codes come from the records (columns, then age)."""
        return (*self.columns, *((AGE,) if self.age is not None else ()))


def age_group(code: str) -> AgeGroup | None:
    """The ages a CL_AGE-style code covers: Y0T4 -> 0..4, Y_LT18 -> 0..17, Y_GE65 -> 65..150."""
    match = _AGE_CODE.match(code)
    if match is None:
        return None
    if match["lt"]:
        return AgeGroup(code, 0, int(match["lt"]) - 1)
    if match["ge"]:
        return AgeGroup(code, int(match["ge"]), 150)
    return AgeGroup(code, int(match["low"]), int(match["high"]))


def _period(raw: Any) -> PeriodRule:
    if not isinstance(raw, dict) or not isinstance(raw.get("column"), str):
        raise _fail("period", "give the event date field, e.g. period: {column: Arrest Date, dates: mdy}.")
    unknown = set(raw) - {"column", "dates", "frequency", "fiscal_year_start", "from", "to"}
    if unknown:
        raise _fail("period", f"unknown keys {sorted(unknown)}.")
    rule = PeriodRule(
        column=raw["column"],
        dates=str(raw.get("dates", "dmy")),
        frequency=str(raw.get("frequency", "M")),
        fiscal_year_start=int(raw.get("fiscal_year_start", 1)),
        first=str(raw["from"]) if "from" in raw else None,
        last=str(raw["to"]) if "to" in raw else None,
    )
    if rule.dates not in DATE_ORDERS:
        raise _fail("period.dates", f"{rule.dates!r} is not one of {', '.join(DATE_ORDERS)}.")
    if rule.frequency not in FREQUENCIES:
        raise _fail("period.frequency", f"{rule.frequency!r} is not one of {', '.join(FREQUENCIES)}.")
    if not 1 <= rule.fiscal_year_start <= 12:
        raise _fail("period.fiscal_year_start", "must be a month number, 1 to 12.")
    return rule


def _age(raw: Any, dataflow: Dataflow) -> AgeRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "birth_date" not in raw or "groups" not in raw:
        raise _fail("age", "give {birth_date: FIELD, dates: mdy, groups: [Y_LT18, Y_GE18]}.")
    dimension = dataflow.structure.dimension(AGE)
    if dimension is None or dimension.codelist is None:
        raise _fail("age", f"{dataflow.id} has no AGE dimension.")
    groups = []
    for code in raw["groups"]:
        group = age_group(str(code))
        if group is None or str(code) not in dimension.codelist:
            raise _fail("age.groups", f"{code!r} is not an age range code of {dimension.codelist.id}.")
        groups.append(group)
    dates = str(raw.get("dates", "dmy"))
    if dates not in DATE_ORDERS:
        raise _fail("age.dates", f"{dates!r} is not one of {', '.join(DATE_ORDERS)}.")
    return AgeRule(str(raw["birth_date"]), dates, tuple(groups))


def _strings(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping.")
    return {str(key): str(value) for key, value in raw.items()}


def _check_dimensions(recipe: Recipe, dataflow: Dataflow) -> None:
    structure = dataflow.structure
    mapped = set(recipe.mapped_dimensions)
    for dimension_id in structure.dimension_ids:
        if dimension_id not in mapped and dimension_id not in recipe.constants:
            raise _fail("columns", f"dimension {dimension_id} of {dataflow.id} has neither a field nor a constant.")
    for name in [*mapped, *recipe.values]:
        if structure.dimension(name) is None:
            raise _fail("columns", f"{name} is not a dimension of {dataflow.id}: {', '.join(structure.dimension_ids)}.")
    for name in recipe.totals:
        dimension = structure.dimension(name)
        if name not in mapped or dimension is None or dimension.codelist is None or TOTAL not in dimension.codelist:
            raise _fail("totals", f"{name} must be a dimension from the records whose codelist has {TOTAL}.")
    for name, code in recipe.constants.items():
        component = structure.dimension(name) or structure.attribute(name)
        if component is None:
            raise _fail("constants", f"{name} is not a dimension or attribute of {dataflow.id}.")
        if component.codelist is not None and code not in component.codelist:
            raise _fail("constants", f"{code!r} is not a code of {component.codelist.id} ({name}).")


def _default_totals(mapped: tuple[str, ...], dataflow: Dataflow) -> tuple[str, ...]:
    totals = []
    for name in mapped:
        dimension = dataflow.structure.dimension(name)
        if dimension is not None and dimension.codelist is not None and TOTAL in dimension.codelist:
            totals.append(name)
    return tuple(totals)


def parse_recipe(raw: Any, dataflow: Dataflow, where: str = "recipe") -> Recipe:
    """Check a parsed recipe against ``dataflow``; raise ``InvalidParameterError`` saying what to fix."""
    if not isinstance(raw, dict) or raw.get("recipe") != 1:
        raise InvalidParameterError(f"{where}: not a recipe (it must start with 'recipe: 1').")
    unknown = set(raw) - _KEYS
    if unknown:
        raise InvalidParameterError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}.")
    if raw.get("dataflow", dataflow.id) != dataflow.id:
        raise InvalidParameterError(f"{where} is written for {raw['dataflow']}, not {dataflow.id}.")
    columns = _strings(raw.get("columns"), "columns")
    age = _age(raw.get("age"), dataflow)
    if age is not None and AGE in columns:
        raise _fail("age", "AGE comes either from a field (columns) or from a birth date (age), not both.")
    mapped = (*columns, *((AGE,) if age is not None else ()))
    values = {str(k): _strings(v, f"values.{k}") for k, v in (raw.get("values") or {}).items()}
    read = raw.get("read") or {}
    measure = raw.get("measure")
    record_key = raw.get("record_key", [])
    if not isinstance(record_key, list) or not all(isinstance(name, str) for name in record_key):
        raise _fail("record_key", "give the fields that identify a record, e.g. record_key: [Event Number, Date].")
    recipe = Recipe(
        dataflow=dataflow.id,
        period=_period(raw.get("period")),
        columns=columns,
        constants=_strings(raw.get("constants"), "constants"),
        values=values,
        age=age,
        totals=tuple(raw["totals"]) if "totals" in raw else _default_totals(mapped, dataflow),
        delimiter=read.get("delimiter"),
        measure=measure.get("column") if isinstance(measure, dict) else None,
        record_key=tuple(record_key),
        title=str(raw.get("title", "")),
    )
    _check_dimensions(recipe, dataflow)
    rule = recipe.period
    if rule.frequency == "A" and rule.fiscal_year_start > 1 and "OBS_COMMENT" not in recipe.constants:
        note = f"Fiscal year from month {rule.fiscal_year_start}, named by the calendar year in which it ends"
        recipe = replace(recipe, constants={**recipe.constants, "OBS_COMMENT": note})
    return recipe


def load_recipe(path: Path, dataflow: Dataflow) -> Recipe:
    """Read and check a recipe file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidParameterError(f"{path.name} cannot be read as YAML: {error}") from None
    return parse_recipe(raw, dataflow, where=path.name)
