"""Apply a recipe: read the file as it says, reshape the table, and give the mapping to validate it with.

``read_with_recipe`` reads the sheets the recipe names (several are stacked, with a ``_sheet`` column) with
its header and skip rows and cuts the table where it ends; ``prepare`` runs the table steps (see ``steps``)
and builds the ``Mapping``; ``filter_codes`` applies the filters on mapped codes after the labels became
codes. ``describe`` says, for the report, what the recipe matched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.ingest.mapping import MappedTable, Mapping, apply_mapping, with_label_matching
from pivgm.ingest.numbers import is_missing, parse_number
from pivgm.ingest.readers import RawTable, ReadOptions, read_file, sheet_names
from pivgm.ingest.recipes import steps
from pivgm.ingest.recipes.document import RecipeDocument, compile_regex
from pivgm.ingest.recipes.messages import note
from pivgm.ingest.recipes.periods import REPORTING_YEAR_START_DAY
from pivgm.ingest.report import Note
from pivgm.model import Dataflow
from pivgm.warehouse.checks import ROW
from pivgm.warehouse.encoding import decode, decode_table

SHEET_COLUMN = "_sheet"


def _options(
    document: RecipeDocument, max_rows: int | None, sheet: str | int | None, max_columns: int | None = None
) -> ReadOptions:
    read = document.data.get("read", {})
    return ReadOptions(
        sheet=sheet,
        header_rows=read.get("header_rows"),
        skip_rows=read.get("skip_rows"),
        encoding=read.get("encoding"),
        delimiter=read.get("delimiter"),
        decimal=document.data.get("decimal"),
        max_rows=max_rows,
        max_columns=max_columns,
    )


def _sheets(document: RecipeDocument, path: Path, file_name: str) -> list[str | int] | None:
    wanted = document.data.get("read", {}).get("sheets")
    if not wanted:
        return None
    names = sheet_names(path, file_name)
    if names is None:
        raise document.error("sheets-not-workbook", "read", "sheets")
    chosen: list[str | int] = []
    for index, entry in enumerate(wanted):
        if isinstance(entry, dict):
            pattern = compile_regex(document, entry["pattern"], "read", "sheets", index, "pattern")
            found = [name for name in names if pattern.search(name)]
        elif isinstance(entry, int):
            found = [names[entry]] if 0 <= entry < len(names) else []
        else:
            found = [entry] if entry in names else []
        if not found:
            raise document.error(
                "no-such-sheet", "read", "sheets", index, index=index, entry=entry, sheets=", ".join(names)
            )
        chosen += [name for name in found if name not in chosen]
    return chosen


def _first_cells(raw: RawTable) -> list[str]:
    names = [name for name in raw.table.column_names if not name.startswith("_")]
    columns = [raw.table.column(name).to_pylist() for name in names]
    return [next((cell for cell in row if cell), "") for row in zip(*columns, strict=True)] if columns else []


def _cut_at_end(document: RecipeDocument, raw: RawTable) -> tuple[RawTable, Note | None]:
    pattern_text = document.data.get("read", {}).get("end")
    if not pattern_text:
        return raw, None
    pattern = compile_regex(document, pattern_text, "read", "end")
    for position, cell in enumerate(_first_cells(raw)):
        if pattern.search(cell):
            rows = list(raw.source_rows)
            kept = replace(
                raw,
                table=raw.table.slice(0, position),
                source_rows=rows[:position],
                actions=raw.actions.slice(0, position) if raw.actions is not None else None,
            )
            return kept, note("end", row=rows[position], cell=cell[:40])
    return raw, None


def read_with_recipe(
    path: Path,
    document: RecipeDocument,
    *,
    file_name: str,
    max_rows: int | None = None,
    max_columns: int | None = None,
    sheet: str | int | None = None,
) -> RawTable:
    """The file's table as the recipe's ``read`` entry says (``sheet``, from the command line, is used when
    the recipe names none)."""
    sheets = _sheets(document, path, file_name)
    if sheets is None:
        raw = read_file(path, _options(document, max_rows, sheet, max_columns), file_name).plain()
        raw, ended = _cut_at_end(document, raw)
        return replace(raw, notes=[*raw.notes, ended]) if ended else raw
    parts: list[RawTable] = []
    for name in sheets:
        part = read_file(path, _options(document, max_rows, name, max_columns), file_name).plain()
        part, ended = _cut_at_end(document, part)
        label = pa.array([str(name)] * part.table.num_rows, pa.string())
        parts.append(
            replace(
                part,
                table=part.table.append_column(SHEET_COLUMN, label),
                notes=[*part.notes, *([ended] if ended else [])],
            )
        )
    if len(parts) == 1:
        return parts[0]
    table = pa.concat_tables([p.table for p in parts], promote_options="default")
    table = pa.table({name: pc.fill_null(table.column(name), "") for name in table.column_names})
    rows = [row for part in parts for row in part.source_rows]
    notes: list[str] = [note("sheets", count=len(parts), names=", ".join(map(str, sheets)))]
    notes += [text for part in parts for text in part.notes]
    return replace(parts[0], table=table, source_rows=rows, notes=notes, detected={**parts[0].detected, "sheet": ""})


@dataclass
class Prepared:
    """The table in its mapped layout, the mapping, and what the recipe did (for the report)."""

    raw: RawTable
    mapping: Mapping
    notes: list[str] = field(default_factory=list)


def _mapping(document: RecipeDocument, dataflow: Dataflow, period_given: bool) -> Mapping:
    data = document.data
    columns = {str(k): str(v) for k, v in data.get("columns", {}).items()}
    if period_given:
        columns.setdefault(dataflow.structure.time_dimension, steps.PERIOD_COLUMN)
    return Mapping(
        columns=columns,
        values={str(c): {str(a): str(b) for a, b in labels.items()} for c, labels in data.get("values", {}).items()},
        constants={str(k): str(v) for k, v in data.get("constants", {}).items()},
        decimal=data.get("decimal"),
    )


def _check_components(document: RecipeDocument, dataflow: Dataflow) -> None:
    structure = dataflow.structure
    known = {*structure.dimension_ids, structure.time_dimension, structure.measure.id, *structure.attribute_ids}
    for section in ("columns", "values", "constants"):
        for component in document.data.get(section, {}):
            if component not in known:
                raise document.error(
                    "not-a-component",
                    section,
                    component,
                    where=f"{section}.{component}",
                    component=component,
                    dataflow=dataflow.id,
                    known=", ".join(sorted(known)),
                )
    for index, spec in enumerate(document.data.get("filters", [])):
        if "code" in spec and spec["code"] not in known:
            raise document.error(
                "not-a-component",
                "filters",
                index,
                where=f"filters[{index}].code",
                component=spec["code"],
                dataflow=dataflow.id,
                known=", ".join(sorted(known)),
            )


def prepare(raw: RawTable, document: RecipeDocument, dataflow: Dataflow) -> Prepared:
    """Run the recipe's table steps on ``raw`` and build its mapping; ``RecipeError`` names the recipe
    line when the recipe asks for what the table does not have."""
    _check_components(document, dataflow)
    for component in document.data.get("patterns", {}):
        if component not in document.data.get("columns", {}):
            raise document.error("pattern-without-column", "patterns", component, component=component)
    for key in ("dataflow",):
        if document.data.get(key) and document.data[key] != dataflow.id:
            raise document.error("other-dataflow", key, recipe_flow=document.data[key], dataflow=dataflow.id)
    decimal = document.data.get("decimal") or raw.detected.get("decimal", ".")
    raw = raw.plain()
    raw = steps.hierarchy(document, raw)
    raw = steps.strip_marks(document, raw)
    raw = steps.unpivot(document, raw)
    raw = steps.computed(document, raw, decimal)
    raw, notes = steps.filter_columns(document, raw)
    raw, form, period_notes = steps.period_column(document, raw)
    mapping = _mapping(document, dataflow, form is not None)
    if form is not None and form.format == "fiscal_year":
        periods = raw.table.column(steps.PERIOD_COLUMN)
        if pc.any(pc.match_substring_regex(periods, r"-A1$")).as_py():
            mapping = replace(mapping, constants={REPORTING_YEAR_START_DAY: form.start_day, **mapping.constants})
    measure = dataflow.structure.measure.id
    for component, column in mapping.columns.items():
        steps.need_column(document, raw, column, "columns", component)
    value_column = mapping.columns.get(measure)
    if value_column is not None:
        raw = steps.blank_missing(raw, value_column, document.data.get("missing", []))
    mapping, pattern_notes = _with_patterns(document, raw, mapping)
    return Prepared(raw, mapping, [*notes, *period_notes, *pattern_notes])


def _with_patterns(document: RecipeDocument, raw: RawTable, mapping: Mapping) -> tuple[Mapping, list[str]]:
    """Labels of a component's column given a code by the first of its ``patterns`` they match (labels in
    ``values`` keep theirs)."""
    values = {component: dict(labels) for component, labels in mapping.values.items()}
    notes: list[str] = []
    for component, rules in document.data.get("patterns", {}).items():
        column = mapping.columns.get(component)
        if column is None:
            raise document.error("pattern-without-column", "patterns", component, component=component)
        compiled = [
            (compile_regex(document, rule["regex"], "patterns", component, i, "regex"), str(rule["code"]))
            for i, rule in enumerate(rules)
        ]
        given = values.setdefault(component, {})
        labels = [label for label in pc.unique(raw.table.column(column)).to_pylist() if label is not None]
        found = 0
        for label in labels:
            if label.strip() in given:
                continue
            code = next((code for pattern, code in compiled if pattern.search(label)), None)
            if code is not None:
                given[label.strip()] = code
                found += 1
        notes.append(note("patterns", component=component, found=found, labels=len(labels)))
    return replace(mapping, values=values), notes


def filter_codes(mapped: MappedTable, document: RecipeDocument, dataflow: Dataflow) -> tuple[MappedTable, list[str]]:
    """The mapped rows kept by the filters on codes (``code: REF_AREA``); ``known: true`` keeps codes of
    the component's codelist (dropping, say, "Eastern Africa" rows a country column also holds)."""
    notes: list[str] = []
    table = mapped.table
    for index, spec in enumerate(document.data.get("filters", [])):
        component = spec.get("code")
        if component is None:
            continue
        if component not in table.column_names:
            raise document.error("code-filter-without-column", "filters", index, index=index, component=component)
        values = decode(table.column(component))
        mask = _code_mask(document, values, spec, dataflow, component, index)
        before = table.num_rows
        table = table.filter(pc.fill_null(mask, False))
        notes.append(note("code-filter", index=index, component=component, kept=table.num_rows, before=before))
    return MappedTable(table, mapped.column_labels), notes


def _code_mask(
    document: RecipeDocument, values: pa.Array, spec: dict[str, object], dataflow: Dataflow, component: str, index: int
) -> pa.Array:
    condition = spec.get("not", spec)
    assert isinstance(condition, dict)
    if "known" in condition:
        part = dataflow.structure.dimension(component) or dataflow.structure.attribute(component)
        codes = sorted(part.codelist.ids()) if part is not None and part.codelist is not None else []
        mask = pc.is_in(pc.utf8_trim_whitespace(values), value_set=pa.array(codes, pa.string()))
        return pc.invert(pc.fill_null(mask, False)) if "not" in spec else mask
    return steps.condition_mask(document, values, dict(spec), "filters", index)


def describe(document: RecipeDocument, prepared: Prepared) -> list[str]:
    """Report notes: which recipe was applied and what each part matched."""
    title = document.data.get("title")
    lines: list[str] = [note("applied", name=document.name, title=f" ({title})" if title else "")]
    for component, column in prepared.mapping.columns.items():
        lines.append(note("column", component=component, column=column))
    for component, value in prepared.mapping.constants.items():
        lines.append(note("constant", component=component, value=value))
    return lines + prepared.notes


@dataclass
class Applied:
    """A file read, reshaped and mapped by a recipe: ``mapped`` goes to validation."""

    raw: RawTable
    mapping: Mapping
    mapped: MappedTable
    notes: list[str]


def map_table(
    raw: RawTable,
    document: RecipeDocument,
    dataflow: Dataflow,
    adjust: Callable[[MappedTable, RawTable], MappedTable] | None = None,
) -> Applied:
    """``prepare``, automatic label matching under the recipe's value maps, ``apply_mapping``, the filters
    on codes and ``aggregate``: what ``pivgm validate --recipe`` checks. ``adjust`` sees the mapped rows
    while they still align with the prepared table (the workflow fills SDMX-CSV deletions there)."""
    prepared = prepare(raw, document, dataflow)
    mapping = with_label_matching(prepared.mapping, prepared.raw.table, dataflow)
    mapped = apply_mapping(prepared.raw.table, prepared.raw.source_rows, mapping, dataflow)
    if adjust is not None:
        mapped = adjust(mapped, prepared.raw)
    mapped, notes = filter_codes(mapped, document, dataflow)
    if document.data.get("aggregate") == "sum":
        mapped, added = aggregate(mapped, document, dataflow, mapping.decimal or raw.detected.get("decimal", "."))
        notes.append(added)
    return Applied(prepared.raw, mapping, mapped, [*describe(document, prepared), *notes])


def aggregate(
    mapped: MappedTable, document: RecipeDocument, dataflow: Dataflow, decimal: str
) -> tuple[MappedTable, Note]:
    """One row per key (every column but the value): the values added up, the first file row kept."""
    measure = dataflow.structure.measure.id
    table = decode_table(mapped.table)
    if measure not in table.column_names:
        raise document.error("aggregate-without-value", "aggregate")
    numbers: list[float | None] = []
    for text, row in zip(table.column(measure).to_pylist(), table.column(ROW).to_pylist(), strict=True):
        try:
            numbers.append(None if text is None or is_missing(text) else parse_number(text, decimal))
        except ValueError:
            raise document.error("aggregate-not-number", "aggregate", text=text, row=row) from None
    table = table.set_column(table.column_names.index(measure), measure, pa.array(numbers, pa.float64()))
    keys = [name for name in table.column_names if name not in (measure, ROW)]
    summed = table.group_by(keys, use_threads=False).aggregate([(measure, "sum"), (ROW, "min")])
    summed = summed.rename_columns([*keys, measure, ROW]).sort_by(ROW)
    texts = pa.array(
        [None if v is None else steps.number_text(v) for v in summed.column(measure).to_pylist()], pa.string()
    )
    summed = summed.set_column(summed.column_names.index(measure), measure, texts)
    added = note("aggregate", rows=table.num_rows, observations=summed.num_rows)
    return MappedTable(summed.select(mapped.table.column_names), mapped.column_labels), added
