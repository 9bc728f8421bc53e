"""The table steps of a recipe, in the order they run: table end, hierarchy, footnote marks, unpivot,
computed values, missing markers, row filters on source columns, the period column.

Each step takes the recipe's table (every column text) and returns it, or raises ``RecipeError`` naming the
recipe line that asks for something the table cannot give (a column it does not have).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.ingest.numbers import MISSING_MARKS, is_missing, parse_number
from pivgm.ingest.readers.base import LEVEL_COLUMN, RawTable
from pivgm.ingest.readers.reshape import HEADER_COLUMN, VALUE_COLUMN, melt
from pivgm.ingest.recipes.document import RecipeDocument, compile_regex
from pivgm.ingest.recipes.messages import note
from pivgm.ingest.recipes.periods import PeriodFormat, parse_periods, partial_years

PERIOD_COLUMN = "_period"
# Marks after a label or a figure that point to a footnote: "1/", "a/", "(1)", "(p)", "*", "¹".
DEFAULT_FOOTNOTE_MARKS = re.compile(r"(?:\s*(?:\(\w{1,2}\)|\d{1,2}/|[a-z]/|\*+|[¹²³⁴⁵⁶⁷⁸⁹]))+\s*$")


def need_column(document: RecipeDocument, raw: RawTable, column: str, *path: str | int) -> None:
    """``RecipeError`` if the table has no column ``column``."""
    if column not in raw.table.column_names:
        shown = ", ".join(repr(c) for c in raw.table.column_names if not c.startswith("__"))[:600]
        raise document.error("no-such-column", *path, column=column, columns=shown)


def _keep(raw: RawTable, mask: pa.Array) -> RawTable:
    mask = pc.fill_null(mask, False)
    rows = [row for row, keep in zip(raw.source_rows, mask.to_pylist(), strict=True) if keep]
    actions = raw.actions.filter(mask) if raw.actions is not None else None
    return replace(raw, table=raw.table.filter(mask), source_rows=rows, actions=actions)


def hierarchy(document: RecipeDocument, raw: RawTable) -> RawTable:
    """A column of full label paths ("Económicamente activa / Ocupada") from the labels' indentation."""
    spec = document.data.get("hierarchy")
    if not spec:
        return raw
    need_column(document, raw, spec["column"], "hierarchy", "column")
    labels = raw.table.column(spec["column"]).to_pylist()
    if LEVEL_COLUMN in raw.table.column_names:
        ranks = [int(level or 0) for level in raw.table.column(LEVEL_COLUMN).to_pylist()]
    else:
        ranks = [0] * len(labels)
    separator = spec.get("separator", " / ")
    paths: list[str] = []
    stack: list[str] = []
    for label, rank in zip(labels, ranks, strict=True):
        stack = [*stack[:rank], label or ""]
        paths.append(separator.join(part for part in stack if part))
    return replace(raw, table=raw.table.append_column(spec["into"], pa.array(paths, pa.string())))


def strip_marks(document: RecipeDocument, raw: RawTable) -> RawTable:
    """Footnote marks removed from the end of every cell ("1,234 (p)" -> "1,234", "Panamá 1/" -> "Panamá")."""
    marks = document.data.get("footnote_marks")
    if not marks:
        return raw
    if marks is True:
        pattern = DEFAULT_FOOTNOTE_MARKS.pattern
    else:
        pattern = r"(?:\s*(?:" + "|".join(re.escape(mark) for mark in marks) + r"))+\s*$"
    table = raw.table
    for index, name in enumerate(table.column_names):
        if not name.startswith("_") or name == VALUE_COLUMN:
            column = pc.replace_substring_regex(table.column(index), pattern=pattern, replacement="")
            table = table.set_column(index, name, column)
    return replace(raw, table=table)


def _unpivot_columns(document: RecipeDocument, raw: RawTable) -> list[str]:
    spec = document.data["unpivot"]["columns"]
    names = [name for name in raw.table.column_names if not name.startswith("_")]
    if isinstance(spec, list):
        for position, column in enumerate(spec):
            need_column(document, raw, column, "unpivot", "columns", position)
        return list(spec)
    chosen = names
    if "from" in spec or "to" in spec:
        for key in ("from", "to"):
            if key in spec:
                need_column(document, raw, spec[key], "unpivot", "columns", key)
        first = names.index(spec["from"]) if "from" in spec else 0
        last = names.index(spec["to"]) if "to" in spec else len(names) - 1
        chosen = names[first : last + 1]
    if "pattern" in spec:
        pattern = compile_regex(document, spec["pattern"], "unpivot", "columns", "pattern")
        chosen = [name for name in chosen if pattern.search(name)]
    for position, column in enumerate(spec.get("except", [])):
        need_column(document, raw, column, "unpivot", "columns", "except", position)
    chosen = [name for name in chosen if name not in set(spec.get("except", []))]
    if not chosen:
        raise document.error("unpivot-chooses-nothing", "unpivot", "columns")
    return chosen


def unpivot(document: RecipeDocument, raw: RawTable) -> RawTable:
    """Wide value columns into rows; header levels named by ``into`` (outermost first), figures by ``value``."""
    spec = document.data.get("unpivot")
    if not spec:
        return raw
    columns = _unpivot_columns(document, raw)
    long = melt(raw, columns)
    table = long.table
    depth = sum(1 for name in table.column_names if re.fullmatch(r"_header_\d+", name))
    names = spec.get("into", [])
    if len(names) > depth:
        raise document.error("unpivot-depth", "unpivot", "into", named=len(names), depth=depth)
    renames = {HEADER_COLUMN.format(depth - len(names) + i + 1): name for i, name in enumerate(names)}
    renames[VALUE_COLUMN] = spec.get("value", "value")
    table = table.rename_columns([renames.get(name, name) for name in table.column_names])
    return replace(long, table=table)


def _numbers(raw: RawTable, column: str, decimal: str, document: RecipeDocument, *path: str | int) -> list[float]:
    values: list[float] = []
    for position, text in enumerate(raw.table.column(column).to_pylist()):
        if text is None or is_missing(text):
            values.append(math.nan)
            continue
        try:
            number = parse_number(text, decimal)
        except ValueError:
            row = raw.source_rows[position]
            raise document.error("not-a-number", *path, text=text, column=column, row=row) from None
        values.append(math.nan if number is None else number)
    return values


def number_text(number: float) -> str:
    """A computed figure as text: whole numbers without ".0"; "" for no figure (NaN)."""
    if math.isnan(number):
        return ""
    return str(int(number)) if number == int(number) and abs(number) < 1e15 else repr(number)


def computed(document: RecipeDocument, raw: RawTable, decimal: str) -> RawTable:
    """New columns: the sum or difference of columns, or a column times a constant (thousands -> units).

    A sum skips empty cells and is empty only when every cell is; a difference needs both."""
    for index, spec in enumerate(document.data.get("computed", [])):
        names = spec.get("sum") or spec.get("difference") or [spec["column"]]
        kind = "sum" if "sum" in spec else "difference" if "difference" in spec else "column"
        for position, name in enumerate(names):
            need_column(document, raw, name, "computed", index, kind, *([] if kind == "column" else [position]))
        series = [_numbers(raw, name, decimal, document, "computed", index) for name in names]
        if kind == "difference":
            result = [a - b for a, b in zip(series[0], series[1], strict=True)]
        else:
            result = [
                math.nan if all(math.isnan(v) for v in row) else sum(v for v in row if not math.isnan(v))
                for row in zip(*series, strict=True)
            ]
        factor = float(spec.get("multiply", 1))
        texts = [number_text(value * factor) for value in result]
        raw = replace(raw, table=raw.table.append_column(spec["into"], pa.array(texts, pa.string())))
    return raw


def blank_missing(raw: RawTable, column: str, markers: Sequence[str]) -> RawTable:
    """Cells of ``column`` that hold a missing marker made empty (they are skipped, not loaded)."""
    marks = sorted({*MISSING_MARKS, *(m.strip().casefold() for m in markers)} - {""})
    index = raw.table.column_names.index(column)
    values = raw.table.column(index)
    folded = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    blank = pc.is_in(folded, value_set=pa.array(marks, pa.string()))
    cleaned = pc.if_else(pc.fill_null(blank, False), pa.scalar("", pa.string()), values)
    return replace(raw, table=raw.table.set_column(index, column, cleaned))


def condition_mask(document: RecipeDocument, values: pa.Array, condition: dict[str, Any], *path: str | int) -> pa.Array:
    """The rows where ``values`` meet ``condition`` (equals / in / regex, or ``not`` of one of them)."""
    if "not" in condition:
        return pc.invert(pc.fill_null(condition_mask(document, values, condition["not"], *path, "not"), False))
    trimmed = pc.utf8_trim_whitespace(values)
    if "equals" in condition:
        return pc.equal(trimmed, str(condition["equals"]).strip())
    if "in" in condition:
        return pc.is_in(trimmed, value_set=pa.array([str(v).strip() for v in condition["in"]], pa.string()))
    pattern = compile_regex(document, condition["regex"], *path, "regex")
    return pc.match_substring_regex(trimmed, pattern=pattern.pattern)


def filter_columns(document: RecipeDocument, raw: RawTable) -> tuple[RawTable, list[str]]:
    """Rows kept by the filters on source columns; notes say how many each filter dropped."""
    notes: list[str] = []
    for index, spec in enumerate(document.data.get("filters", [])):
        if "column" not in spec:
            continue
        need_column(document, raw, spec["column"], "filters", index, "column")
        before = raw.table.num_rows
        raw = _keep(raw, condition_mask(document, raw.table.column(spec["column"]), spec, "filters", index))
        notes.append(note("column-filter", index=index, column=spec["column"], kept=raw.table.num_rows, before=before))
    return raw, notes


def period_column(document: RecipeDocument, raw: RawTable) -> tuple[RawTable, PeriodFormat | None, list[str]]:
    """The ``_period`` column (SDMX periods) the ``period`` entry asks for; unreadable labels stay as they
    are, so the ``invalid-period`` rule reports them with their row."""
    spec = document.data.get("period")
    if not spec:
        return raw, None, []
    columns = [spec["column"]] if "column" in spec else list(spec["columns"])
    for position, column in enumerate(columns):
        path = ("period", "column") if "column" in spec else ("period", "columns", position)
        need_column(document, raw, column, *path)
    form = PeriodFormat(
        format=spec.get("format", "auto"),
        dates=spec.get("dates", "dmy"),
        frequency=spec.get("frequency", "M"),
        fiscal_year_start=spec.get("fiscal_year_start", 10),
    )
    parts = [pc.utf8_trim_whitespace(raw.table.column(c).combine_chunks()) for c in columns]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, " ")
    labels = [label for label in pc.unique(joined).to_pylist() if label]
    periods = parse_periods(labels, form)
    partial = partial_years(periods) if form.format == "fiscal_year" else []
    notes: list[str] = []
    if partial:
        keep = pc.invert(pc.fill_null(pc.is_in(joined, value_set=pa.array(partial, pa.string())), False))
        before = raw.table.num_rows
        raw, joined = _keep(raw, keep), joined.filter(keep)
        notes.append(note("partial-year", rows=before - raw.table.num_rows, labels=", ".join(map(repr, partial))))
        periods = {label: period for label, period in periods.items() if label not in partial}
        labels = [label for label in labels if label not in partial]
    unread = [label for label in labels if label not in periods]
    keys = pa.array(list(periods), pa.string())
    positions = pc.index_in(joined, value_set=keys)
    mapped = pc.if_else(
        pc.is_null(positions), joined, pc.take(pa.array(list(periods.values()), pa.string()), positions)
    )
    shown = ", ".join(map(repr, columns))
    notes.insert(0, note("periods", count=len(periods), format=form.format, columns=shown))
    if unread:
        notes.append(note("periods-unread", count=len(unread), example=unread[0]))
    return replace(raw, table=raw.table.append_column(PERIOD_COLUMN, mapped)), form, notes
