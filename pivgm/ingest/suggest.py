"""Suggest how a table read from a national file maps onto a dataflow, for a person to confirm.

Columns are matched to components by their headers (Spanish and English words from ``alias/headers.yaml``,
the component's id and its names in the standard) and by their content (a column whose values are mostly
country names is an area; a column of numbers is the measure). For each coded column the label -> code map
that matching can infer is given, with the labels it could not match and the closest codes as hints.

Wide tables (a column per month, or per sex under each period) are unpivoted first; a period split into a
year column and a month column is joined. ``apply_layout`` does both, so that ``columns`` names columns of
its result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from pivgm.errors import InvalidParameterError
from pivgm.ingest.labels import ALIAS_DIR, match_periods, matcher_for, normalise, parse_period_label
from pivgm.ingest.mapping import Mapping
from pivgm.ingest.numbers import is_missing, parse_number
from pivgm.ingest.readers.base import RawTable
from pivgm.ingest.readers.reshape import HEADER_COLUMN, SOURCE_COLUMN, VALUE_COLUMN, combine, header_levels, melt
from pivgm.ingest.report import Note
from pivgm.model import Codelist, Dataflow, parse_period

PERIOD_COLUMN = "_period"
SAMPLE_LABELS = 2000
_AREA_PREFERENCE = ("CITIZENSHIP", "COUNTERPART_AREA", "REF_AREA")


@dataclass(frozen=True)
class Unpivot:
    """Wide value columns to turn into rows (see ``readers.reshape.melt``)."""

    value_columns: tuple[str, ...]


@dataclass
class MappingSuggestion:
    """A proposed mapping: ``columns`` component -> column, ``values`` component -> {label: code},
    ``unmatched`` component -> [(label, closest codes)], ``constants`` component -> code for dimensions the
    file does not hold. ``columns`` refers to the table ``apply_layout`` returns."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    unmatched: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    unpivot: Unpivot | None = None
    period_columns: tuple[str, str] | None = None  # (month or quarter column, year column)
    decimal: str | None = None
    notes: list[str] = field(default_factory=list)
    candidates: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # component -> [(column, why)]

    def as_mapping(self) -> Mapping:
        """The column, value and constant parts as a ``Mapping`` (the layout parts are not in it: apply
        ``apply_layout`` to the table first when ``unpivot`` or ``period_columns`` is set)."""
        return Mapping(
            columns=dict(self.columns),
            values={component: dict(labels) for component, labels in self.values.items()},
            constants=dict(self.constants),
            decimal=self.decimal,
        )


def apply_layout(raw: RawTable, suggestion: MappingSuggestion) -> RawTable:
    """The table the suggestion's ``columns`` refer to: unpivoted and with the period joined, if needed."""
    table = raw
    if suggestion.unpivot is None and suggestion.period_columns is None:
        return table
    table = raw.plain()
    if suggestion.unpivot is not None:
        table = melt(table, suggestion.unpivot.value_columns)
    if suggestion.period_columns is not None:
        table = combine(table, suggestion.period_columns, PERIOD_COLUMN)
    return table


@cache
def _headers() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ALIAS_DIR / "headers.yaml").read_text(encoding="utf-8"))
    return document


@dataclass
class _Column:
    name: str
    labels: dict[str, int]  # distinct non-empty values -> count (the most frequent ones)
    numeric: float  # share of the filled values that are numbers

    def share(self, matched: Iterable[str]) -> float:
        total = sum(self.labels.values())
        return sum(self.labels[label] for label in matched) / total if total else 0.0


def _profile(table: pa.Table, name: str, decimal: str) -> _Column:
    counts = pc.value_counts(pc.utf8_trim_whitespace(table.column(name).combine_chunks()))
    pairs = sorted(
        ((v, c) for v, c in zip(counts.field(0).to_pylist(), counts.field(1).to_pylist(), strict=True) if v),
        key=lambda pair: -pair[1],
    )[:SAMPLE_LABELS]
    labels = dict(pairs)
    numbers = filled = 0
    for label, count in labels.items():
        if is_missing(label):
            continue
        filled += count
        try:
            parse_number(label, decimal)
            numbers += count
        except ValueError:
            pass
    return _Column(name, labels, numbers / filled if filled else 0.0)


def _names_of(dataflow: Dataflow, component: str) -> list[str]:
    structure = dataflow.structure
    names = [component, *_headers()["components"].get(component, [])]
    dimension, attribute = structure.dimension(component), structure.attribute(component)
    for part in (dimension, attribute):
        if part is not None:
            names += list(part.name.texts.values())
            if part.codelist is not None:
                names += list(part.codelist.name.texts.values())
    return names


def _header_score(column: str, names: list[str]) -> float:
    if column.startswith("_"):
        return 0.0
    words = normalise(header_levels(column)[-1])
    best = 0.0
    for name in names:
        key = normalise(name)
        if not key:
            continue
        if key == words:
            return 1.0
        if f" {key} " in f" {words} ":
            best = max(best, 0.7)
    return best


def _codelist(dataflow: Dataflow, component: str) -> Codelist | None:
    part = dataflow.structure.dimension(component) or dataflow.structure.attribute(component)
    return part.codelist if part is not None else None


def _content_score(column: _Column, dataflow: Dataflow, component: str) -> float:
    structure = dataflow.structure
    if component == structure.measure.id:
        return column.numeric if column.numeric >= 0.8 else 0.0
    if component == structure.time_dimension:
        return column.share(match_periods(column.labels))
    codelist = _codelist(dataflow, component)
    if codelist is None:
        return 0.0
    matcher = matcher_for(codelist)
    return column.share(label for label in column.labels if matcher.match(label) is not None)


def _score(column: _Column, dataflow: Dataflow, component: str, reporting_area: str | None) -> float:
    header = _header_score(column.name, _names_of(dataflow, component))
    content = _content_score(column, dataflow, component)
    is_measure = component == dataflow.structure.measure.id
    if column.name == VALUE_COLUMN:
        return 3.0 if is_measure else 0.0
    if column.numeric >= 0.8 and not is_measure and component != dataflow.structure.time_dimension and header < 0.7:
        return 0.0  # a column of numbers is a measure, not a code (unless its header says so)
    if header < 0.7 and content < 0.5:
        return 0.0
    preference = _AREA_PREFERENCE if reporting_area else tuple(reversed(_AREA_PREFERENCE))
    bonus = 0.01 * (len(preference) - preference.index(component)) if component in preference else 0.0
    return header + content + bonus


def _wide_columns(raw: RawTable, profiles: dict[str, _Column], dataflow: Dataflow) -> tuple[str, ...]:
    """The numeric columns, if their headers name periods or codes (a cross-table); else none."""
    numeric = [name for name, p in profiles.items() if p.numeric >= 0.8 and not name.startswith("_")]
    if len(numeric) < 2:
        return ()
    depth = max(len(header_levels(name)) for name in numeric)
    coded = [d.codelist for d in dataflow.structure.dimensions if d.codelist is not None]
    for level in range(depth):
        labels = {(header_levels(n)[::-1] + [""] * depth)[level] for n in numeric} - {""}
        if len(labels) < 2:
            continue
        periods = sum(1 for label in labels if parse_period_label(label))
        codes = max((sum(1 for label in labels if matcher_for(c).match(label)) for c in coded), default=0)
        if max(periods, codes) >= 0.5 * len(labels):
            return tuple(numeric)
    return ()


def _period_parts(profiles: dict[str, _Column]) -> tuple[str, str] | None:
    parts = _headers()["period_parts"]
    year = next((n for n in profiles if normalise(n) in {normalise(w) for w in parts["year"]}), None)
    sub_words = {normalise(w) for w in (*parts["month"], *parts["quarter"])}
    sub = next((n for n in profiles if normalise(n) in sub_words), None)
    return (sub, year) if year and sub else None


# The value and the period are never guessed between columns that fit equally well: the person chooses.
_ASK_MARGIN = 0.5


def _reason(profile: _Column, dataflow: Dataflow, component: str) -> str:
    header = _header_score(profile.name, _names_of(dataflow, component))
    shown = ", ".join(repr(label) for label in list(profile.labels)[:3])
    if component == dataflow.structure.measure.id:
        why = f"{profile.numeric:.0%} of its cells are numbers"
    else:
        why = f"{_content_score(profile, dataflow, component):.0%} of its labels read as periods"
    if header >= 0.7:
        why += ", and its header names it"
    return f"{why} (e.g. {shown})"


def _ambiguous(scored: list[tuple[float, str, str]], component: str) -> list[str]:
    """The columns that fit ``component`` about as well as the best one, when there are several."""
    fits = [(score, name) for score, c, name in scored if c == component and score > 0]
    if len(fits) < 2 or fits[0][0] - fits[1][0] >= _ASK_MARGIN:
        return []
    return [name for score, name in fits if fits[0][0] - score < _ASK_MARGIN]


def _assign(
    profiles: dict[str, _Column], dataflow: Dataflow, reporting_area: str | None, suggestion: MappingSuggestion
) -> dict[str, str]:
    structure = dataflow.structure
    components = [*structure.dimension_ids, structure.time_dimension, structure.measure.id, *structure.attribute_ids]
    scored = sorted(
        (
            (_score(profile, dataflow, component, reporting_area), component, name)
            for component in components
            for name, profile in profiles.items()
        ),
        reverse=True,
    )
    columns: dict[str, str] = {}
    for component in (structure.measure.id, structure.time_dimension):
        names = _ambiguous(scored, component)
        if names:
            suggestion.candidates[component] = [(n, _reason(profiles[n], dataflow, component)) for n in names]
            suggestion.notes.append(
                Note(
                    f"Several columns could be {component}: {', '.join(repr(n) for n in names)}. Choose one.",
                    f"Varias columnas podrían ser {component}: {', '.join(f'«{n}»' for n in names)}. Elija una.",
                )
            )
            columns[component] = ""  # left open: the person chooses
    for score, component, name in scored:
        if score > 0 and component not in columns and name not in columns.values():
            columns[component] = name
    return {component: name for component, name in columns.items() if name}


def _values(
    columns: dict[str, str], profiles: dict[str, _Column], dataflow: Dataflow, suggestion: MappingSuggestion
) -> None:
    for component, name in columns.items():
        labels = list(profiles[name].labels)
        if component == dataflow.structure.time_dimension:
            mapped = match_periods(labels)
            hints: dict[str, list[str]] = {}
        else:
            codelist = _codelist(dataflow, component)
            if codelist is None:
                continue
            matcher = matcher_for(codelist)
            mapped = {label: code for label in labels if (code := matcher.match(label)) is not None}
            hints = {label: matcher.closest(label) for label in labels if label not in mapped}
        suggestion.values[component] = mapped
        unmatched = [(label, hints.get(label, [])) for label in labels if label not in mapped]
        if unmatched:
            suggestion.unmatched[component] = unmatched


def _constants(dataflow: Dataflow, suggestion: MappingSuggestion, reporting_area: str | None) -> None:
    structure = dataflow.structure
    periods = suggestion.values.get(structure.time_dimension, {})
    frequencies = {parse_period(period).frequency.value for period in periods.values()}
    for dimension in structure.dimensions:
        if dimension.id in suggestion.columns:
            continue
        if dimension.id == "REF_AREA" and reporting_area:
            suggestion.constants[dimension.id] = reporting_area
        elif dimension.id == "FREQ" and len(frequencies) == 1:
            suggestion.constants[dimension.id] = frequencies.pop()
        elif dimension.codelist is not None and "_T" in dimension.codelist:
            suggestion.constants[dimension.id] = "_T"
            suggestion.notes.append(
                Note(
                    f"No column for {dimension.id}: the figures are taken as totals (_T).",
                    f"Ninguna columna para {dimension.id}: las cifras se toman como totales (_T).",
                )
            )
        else:
            suggestion.notes.append(
                Note(
                    f"No column for {dimension.id}: choose its column or give its value.",
                    f"Ninguna columna para {dimension.id}: elija su columna o indique su valor.",
                )
            )


def suggest_mapping(raw: RawTable, dataflow: Dataflow, *, provider_countries: Sequence[str] = ()) -> MappingSuggestion:
    """A mapping of ``raw`` onto ``dataflow``. ``provider_countries`` are the CL_AREA codes the provider
    reports for; a single one is REF_AREA when no column holds it, and makes a column of country names
    more likely the citizenship or origin than the reporting country."""
    reporting_area = provider_countries[0] if len(provider_countries) == 1 else None
    area_codes = dataflow.structure.dimension("REF_AREA")
    if reporting_area and area_codes is not None and area_codes.codelist and reporting_area not in area_codes.codelist:
        raise InvalidParameterError(f"{reporting_area!r} is not a CL_AREA code.", value=reporting_area)
    decimal = raw.detected.get("decimal", ".")
    raw = raw.plain()
    suggestion = MappingSuggestion(decimal=decimal)
    profiles = {name: _profile(raw.table, name, decimal) for name in raw.table.column_names}
    parts = _period_parts(profiles)
    # a year column holds numbers too: it is a part of the period, never a column of values to unpivot
    wide = _wide_columns(raw, {n: p for n, p in profiles.items() if n not in (parts or ())}, dataflow)
    if wide or parts:
        suggestion.unpivot = Unpivot(wide) if wide else None
        suggestion.period_columns = parts
        table = apply_layout(raw, suggestion).table
        profiles = {name: _profile(table, name, decimal) for name in table.column_names}
        for name in parts or ():
            profiles.pop(name, None)
    profiles.pop(SOURCE_COLUMN, None)
    suggestion.columns = _assign(profiles, dataflow, reporting_area, suggestion)
    _values(suggestion.columns, profiles, dataflow, suggestion)
    _constants(dataflow, suggestion, reporting_area)
    unused = [name for name in profiles if name not in suggestion.columns.values() and not name.startswith("_")]
    if unused:
        suggestion.notes.append(
            Note(
                f"Columns not used: {', '.join(repr(n) for n in unused)}.",
                f"Columnas sin usar: {', '.join(f'«{n}»' for n in unused)}.",
            )
        )
    return suggestion


__all__ = ["HEADER_COLUMN", "PERIOD_COLUMN", "MappingSuggestion", "Unpivot", "apply_layout", "suggest_mapping"]
