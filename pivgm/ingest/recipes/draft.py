"""A suggested mapping written as an editable recipe: YAML with comments that show each column's first
values, the labels no code was found for (with the closest codes), and the columns to choose between where
the suggestion does not guess (``pivgm suggest FILE --flow ... > recipe.yaml``)."""

from __future__ import annotations

import json
import re

from pivgm.ingest.readers.base import RawTable
from pivgm.ingest.readers.reshape import VALUE_COLUMN
from pivgm.ingest.suggest import PERIOD_COLUMN as JOINED_PERIOD
from pivgm.ingest.suggest import MappingSuggestion
from pivgm.model import Dataflow

SAMPLE = 4
_HEADER = re.compile(r"_header_(\d+)")


def _quote(text: str) -> str:
    """A YAML scalar for any text (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _renamed(column: str) -> str:
    """A reshaped table's column as the recipe names it (``_header_2`` -> ``header_2``, ``_value`` -> value)."""
    if column == VALUE_COLUMN:
        return "value"
    match = _HEADER.fullmatch(column)
    return f"header_{match[1]}" if match else column


def _samples(raw: RawTable) -> list[str]:
    lines = ["# Columns of the file and their first values:"]
    for name in raw.table.column_names:
        if name.startswith("_") and name not in ("_level", "_group_1", "_group_2"):
            continue
        values: list[str] = []
        for value in raw.table.column(name).to_pylist():
            if value and value not in values:
                values.append(value)
            if len(values) == SAMPLE:
                break
        shown = ", ".join(_quote(v[:30]) for v in values)
        lines.append(f"#   {_quote(name)}: {shown}")
    return lines


def _layout(suggestion: MappingSuggestion, lines: list[str]) -> str | None:
    """The ``unpivot`` and ``period`` entries; returns the column the period comes from, if any."""
    if suggestion.unpivot is not None:
        columns = suggestion.unpivot.value_columns
        depth = max(len(c.split(" / ")) for c in columns)
        lines.append("unpivot:  # these columns become rows: one per column, with its header levels")
        lines.append("  columns: [" + ", ".join(_quote(c) for c in columns) + "]")
        lines.append("  into: [" + ", ".join(f"header_{i + 1}" for i in range(depth)) + "]")
    if suggestion.period_columns is not None:
        part, year = suggestion.period_columns
        lines.append(f"period: {{columns: [{_quote(year)}, {_quote(part)}], format: auto}}")
        return JOINED_PERIOD
    return None


def _columns(suggestion: MappingSuggestion, time: str) -> list[str]:
    lines = ["columns:"]
    lines += [f"  {c}: {_quote(_renamed(column))}" for c, column in suggestion.columns.items() if c != time]
    for component, options in suggestion.candidates.items():
        lines.append(f"  # {component}: choose one of these columns (several could be it):")
        lines += [f"  # {component}: {_quote(_renamed(column))}  # {why}" for column, why in options]
    return lines


def _values(suggestion: MappingSuggestion, time: str) -> list[str]:
    lines: list[str] = []
    for component, labels in suggestion.unmatched.items():
        if component == time:
            continue
        lines.append(f"  {component}: {{}}  # no code found for these labels; write them inside the braces:")
        for label, hints in labels[:50]:
            hint = f"closest codes: {', '.join(hints)}" if hints else "no close code"
            lines.append(f"    # {_quote(label)}: ?  # {hint}")
    head = "values:" if lines else "values: {}"
    return [f"{head}  # labels -> codes; labels not listed are matched automatically", *lines]


def draft_recipe(raw: RawTable, suggestion: MappingSuggestion, dataflow: Dataflow, provider: str) -> str:
    """The recipe text for ``suggestion`` of ``raw``; parse it with ``parse_recipe`` once edited."""
    time = dataflow.structure.time_dimension
    lines = [
        f"# Recipe suggested for {raw.file_name} -> {dataflow.id}. Check it, complete what is marked, then:",
        f"#   pivgm validate {raw.file_name} --flow {dataflow.id} --provider {provider} --recipe recipe.yaml",
        *_samples(raw),
        "recipe: 1",
        f"dataflow: {dataflow.id}",
        f"provider: {provider}",
    ]
    if raw.detected.get("sheet"):
        lines.append(f"read: {{sheets: [{_quote(raw.detected['sheet'])}]}}")
    joined = _layout(suggestion, lines)
    period_column = suggestion.columns.get(time)
    if joined is None and period_column is not None:
        lines.append(f"period: {{column: {_quote(_renamed(period_column))}, format: auto}}")
    lines += _columns(suggestion, time)
    lines += _values(suggestion, time)
    constants = [f"  {component}: {_quote(code)}" for component, code in suggestion.constants.items()]
    lines += ["constants:", *constants] if constants else ["constants: {}"]
    lines += [f"# note: {note}" for note in suggestion.notes]
    if suggestion.decimal and suggestion.decimal != ".":
        lines.append(f"decimal: {_quote(suggestion.decimal)}")
    return "\n".join(lines) + "\n"
