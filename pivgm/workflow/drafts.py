"""The guided upload: a file kept (by content) while its submitter looks at how it reads, chooses how its
columns map onto the dataflow, and sends it; what they choose is saved as the provider's recipe.

Steps: ``stage`` (archive the upload, checked against the person's role) -> ``preview`` (the first rows as
read, with the sheet and header rows chosen) -> ``editor`` (each column's suggested role, value maps and
constants with the codes allowed) -> ``recipe_from_choices`` -> ``submit`` with that recipe.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pivgm.accounts.actor import Actor
from pivgm.errors import NotFoundError, SourceFormatError, UploadLimitError
from pivgm.ingest.readers import RawTable, ReadOptions, read_file, sheet_names
from pivgm.ingest.recipes import Recipe, parse_recipe
from pivgm.ingest.suggest import PERIOD_COLUMN, apply_layout, suggest_mapping
from pivgm.model import Codelist, Dataflow
from pivgm.platform import Platform
from pivgm.workflow.row_filters import RowCondition, choices, from_recipe, keep
from pivgm.workflow.submissions import FileTooLargeError, authorize_upload
from pivgm.workflow.transitions import visible_submission

PREVIEW_ROWS = 10
SAMPLE_LABELS = 60
SHA256 = re.compile(r"^[0-9a-f]{64}$")
NOT_USED = ""


@dataclass(frozen=True)
class StagedFile:
    sha256: str
    file_name: str
    path: Path  # the archived copy, read in a limited child process (``jobs.call_limited``)


def stage(platform: Platform, actor: Actor, provider_id: str, dataflow_id: str, name: str, upload: Path) -> str:
    """Archive an uploaded file (copied in chunks from ``upload``) for the guided steps; its SHA-256 names it
    in the next pages."""
    authorize_upload(platform, actor, provider_id, dataflow_id)
    limit = platform.settings.max_upload_mb * 1_000_000
    size = upload.stat().st_size
    if size > limit:
        raise FileTooLargeError(f"{name} is larger than the limit of {limit / 1e6:g} MB.", file=name)
    stored = platform.warehouse.archive(upload, Path(name).suffix.lower())
    platform.submissions.archive(stored.sha256, name, size, stored.relative_path)
    return stored.sha256


def staged(platform: Platform, actor: Actor, provider_id: str, dataflow_id: str, sha256: str) -> StagedFile:
    """A staged file, for a person who may submit for ``provider_id`` (404 for an unknown digest)."""
    authorize_upload(platform, actor, provider_id, dataflow_id)
    archived = platform.submissions.archived_file(sha256) if SHA256.match(sha256) else None
    if archived is None:
        raise NotFoundError("No uploaded file has that identifier: upload it again.", file=sha256)
    return StagedFile(archived.sha256, archived.file_name, platform.warehouse.path(archived.stored_file))


def read_staged(platform: Platform, file: StagedFile, sheet: str | None, header_rows: int | None) -> RawTable:
    """The staged file read with the person's choices (None: detected), within a submission's row and column
    caps."""
    settings = platform.settings
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(file.file_name).suffix.lower()}"
        path.symlink_to(file.path.resolve())  # the readers see the name's suffix, without a copy
        options = ReadOptions(
            sheet=sheet or None,
            header_rows=header_rows,
            max_rows=settings.max_submission_rows,
            max_columns=settings.max_submission_columns,
        )
        return read_file(path, options, file_name=file.file_name)


def sheets_of(file: StagedFile) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(file.file_name).suffix.lower()}"
        path.symlink_to(file.path.resolve())
        return list(sheet_names(path, file.file_name) or [])


@dataclass
class Preview:
    """The first rows as read, and what the reader decided (sheet, header row, notes)."""

    columns: list[str]
    rows: list[tuple[int, list[str]]]
    total_rows: int
    sheets: list[str]
    detected: dict[str, str]
    notes: list[str]
    problem: str | None = None


def preview(platform: Platform, file: StagedFile, sheet: str | None, header_rows: int | None) -> Preview:
    """What the preview page shows (call it through ``jobs.call_limited``: it reads the whole file). A file
    past a submission's limits is refused (``UploadLimitError``), as it would be when submitted."""
    sheets = sheets_of(file)
    try:
        raw = read_staged(platform, file, sheet, header_rows).plain()
    except UploadLimitError:
        raise
    except SourceFormatError as error:
        return Preview([], [], 0, sheets, {}, [], problem=error.message)
    columns = [name for name in raw.table.column_names if not name.startswith("_")]
    head = raw.table.slice(0, PREVIEW_ROWS).select(columns).to_pylist()
    rows = [(raw.source_rows[i], [str(row[c] or "") for c in columns]) for i, row in enumerate(head)]
    return Preview(columns, rows, raw.table.num_rows, sheets, dict(raw.detected), list(raw.notes))


@dataclass
class ValueMap:
    """A coded component read from a column: each label found, the code chosen for it, the codes allowed."""

    component: str
    labels: list[tuple[str, str]]  # (label, code or "")
    codelist: Codelist


@dataclass(frozen=True)
class RowFilter:
    """A condition on the rows kept, with the values of its column to pick from."""

    condition: RowCondition
    choices: list[str]


@dataclass
class Editor:
    """What the mapping page shows: each column with its role, value maps, constants and rows kept."""

    columns: list[tuple[str, str, list[str]]]  # (column, chosen component or "", first values)
    roles: list[str]  # components a column can be
    value_maps: list[ValueMap]
    constants: list[tuple[str, str, Codelist | None, bool]]  # (component, code, codes, mandatory)
    layout: dict[str, Any] = field(default_factory=dict)  # recipe parts that reshape the table
    notes: list[str] = field(default_factory=list)
    filters: list[RowFilter] = field(default_factory=list)
    rows: tuple[int, int] = (0, 0)  # (rows kept by the filters, rows of the reshaped table)


def _components(dataflow: Dataflow) -> list[str]:
    structure = dataflow.structure
    return [*structure.dimension_ids, structure.time_dimension, structure.measure.id, *structure.attribute_ids]


@dataclass
class Choices:
    """Codes the person already chose on the page (kept when it is redrawn): labels' codes and constants."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)  # component -> label -> code
    constants: dict[str, str] = field(default_factory=dict)


def codelist_of(dataflow: Dataflow, component: str) -> Codelist | None:
    structure = dataflow.structure
    found = structure.dimension(component) or structure.attribute(component)
    return found.codelist if found is not None else None


def _layout(suggestion: Any, sheet: str | None, header_rows: int | None) -> dict[str, Any]:
    """The recipe entries that read and reshape the file as the suggestion did."""
    layout: dict[str, Any] = {}
    read: dict[str, Any] = {}
    if sheet:
        read["sheets"] = [sheet]
    if header_rows:
        read["header_rows"] = header_rows
    if read:
        layout["read"] = read
    if suggestion.unpivot is not None:
        layout["unpivot"] = {"columns": list(suggestion.unpivot.value_columns), "value": "_value"}
    if suggestion.period_columns is not None:
        layout["period"] = {"columns": list(suggestion.period_columns)}
    return layout


def editor(
    platform: Platform,
    file: StagedFile,
    provider_id: str,
    dataflow: Dataflow,
    sheet: str | None,
    header_rows: int | None,
    chosen: MappingType[str, str] | None = None,
    conditions: Sequence[RowCondition] = (),
    typed: Choices | None = None,
    saved: MappingType[str, Any] | None = None,
) -> Editor:
    """The suggestion for the file (or the person's ``chosen`` column roles over it), ready to edit; value
    maps list the labels of the rows the ``conditions`` keep; ``typed`` keeps codes already chosen. A
    ``saved`` recipe (the provider's last one for the dataflow) is put over the suggestion when nothing is
    chosen yet: its columns that the file has, its codes, constants and row conditions. Call it through
    ``jobs.call_limited``: it reads the whole file."""
    raw = read_staged(platform, file, sheet, header_rows)
    provider = platform.standard.provider(provider_id)
    suggestion = suggest_mapping(raw, dataflow, provider_countries=provider.countries)
    whole = apply_layout(raw, suggestion).plain().table
    column_of = {column: component for component, column in suggestion.columns.items()}
    if chosen is not None:
        column_of = {column: component for column, component in chosen.items() if component}
    elif saved:
        column_of = _saved_roles(column_of, saved.get("columns", {}), whole.column_names)
        conditions = [c for c in from_recipe(saved.get("filters", [])) if c.column in whole.column_names]
        typed = Choices(dict(saved.get("values", {})), dict(saved.get("constants", {})))
    table = keep(whole, conditions)
    typed = typed or Choices()
    columns = []
    for name in whole.column_names:
        if name.startswith("_") and name not in column_of and not name.startswith(("_header", "_value", "_group")):
            continue
        first = [str(v) for v in whole.column(name).slice(0, 3).to_pylist() if v not in (None, "")]
        columns.append((name, column_of.get(name, NOT_USED), first))
    mapped = {component: column for column, component in column_of.items()}
    value_maps = []
    for component, column in mapped.items():
        codes = codelist_of(dataflow, component)
        if codes is None or component == dataflow.structure.time_dimension:
            continue
        labels = sorted({str(v).strip() for v in table.column(column).unique().to_pylist() if v not in (None, "")})
        known = {**suggestion.values.get(component, {}), **typed.values.get(component, {})}
        value_maps.append(
            ValueMap(component, [(label, known.get(label, "")) for label in labels[:SAMPLE_LABELS]], codes)
        )
    constants = []
    for component in _components(dataflow):
        if component in mapped or component in (dataflow.structure.time_dimension, dataflow.structure.measure.id):
            continue
        attribute = dataflow.structure.attribute(component)
        mandatory = attribute is None or attribute.mandatory
        default = suggestion.constants.get(component, dataflow.defaults.get(component, ""))
        code = typed.constants.get(component, default)
        constants.append((component, code, codelist_of(dataflow, component), mandatory))
    filters = [RowFilter(condition, choices(whole, condition.column)) for condition in conditions]
    layout = _layout(suggestion, sheet, header_rows)
    notes = suggestion.notes
    return Editor(
        columns, _components(dataflow), value_maps, constants, layout, notes, filters, (table.num_rows, whole.num_rows)
    )


def _saved_roles(suggested: dict[str, str], saved: MappingType[str, str], columns: Sequence[str]) -> dict[str, str]:
    """Column roles: the suggestion's, with each component the saved recipe reads from a column this file has
    moved to that column."""
    roles = dict(suggested)
    for component, column in saved.items():
        if column in columns:
            roles = {c: role for c, role in roles.items() if role != component}
            roles[column] = component
    return roles


def attempted_recipe(
    platform: Platform, actor: Actor, submission_id: int, provider_id: str, dataflow_id: str, sha256: str
) -> dict[str, Any] | None:
    """The recipe a submission of this file was checked with, also when the file was invalid (such a recipe is
    never saved as the provider's), so that "fix the columns" reopens the choices that failed. Only for a
    submission ``actor`` may see, of the same provider, dataflow and file."""
    submission = visible_submission(platform, actor, submission_id)
    if (submission.provider_id, submission.dataflow_id, submission.file_sha256) != (provider_id, dataflow_id, sha256):
        return None
    spec = submission.report.get("recipe")
    return spec if isinstance(spec, dict) else None


def saved_recipe(platform: Platform, provider_id: str, dataflow_id: str) -> tuple[int, dict[str, Any]] | None:
    """The version and content of the provider's last saved recipe (or mapping) for the dataflow."""
    saved = platform.submissions.latest_mapping(provider_id, dataflow_id)
    return (saved.version, saved.spec) if saved is not None else None


def recipe_from_choices(
    provider_id: str,
    dataflow: Dataflow,
    layout: MappingType[str, Any],
    roles: MappingType[str, str],
    values: MappingType[str, MappingType[str, str]],
    constants: MappingType[str, str],
    conditions: Sequence[RowCondition] = (),
) -> Recipe:
    """The recipe the editor's form says: column roles, value maps, constants, rows kept, and the layout."""
    columns = {component: column for column, component in roles.items() if component}
    data: dict[str, Any] = {"recipe": 1, "dataflow": dataflow.id, "provider": provider_id, **layout}
    if "period" in data and dataflow.structure.time_dimension in columns:
        if columns[dataflow.structure.time_dimension] != PERIOD_COLUMN:
            del data["period"]  # the person chose another column for the period
        else:
            del columns[dataflow.structure.time_dimension]  # the recipe's period makes that column
    data["columns"] = columns
    chosen_values = {
        component: {label: code for label, code in labels.items() if code}
        for component, labels in values.items()
        if component in columns
    }
    data["values"] = {component: labels for component, labels in chosen_values.items() if labels}
    data["constants"] = {component: code for component, code in constants.items() if code and component not in columns}
    filters = [condition.recipe_filter() for condition in conditions]
    if filters:
        data["filters"] = filters
    return parse_recipe(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "recipe")


def rows_around(platform: Platform, sha256: str, row: int, around: int = 5) -> Preview:
    """The rows of an archived file near its row ``row`` (as numbered in a validation report); call it through
    ``jobs.call_limited``: it reads the whole file."""
    archived = platform.submissions.archived_file(sha256)
    if archived is None:
        raise NotFoundError("The submitted file is no longer archived.", file=sha256)
    file = StagedFile(archived.sha256, archived.file_name, platform.warehouse.path(archived.stored_file))
    try:
        raw = read_staged(platform, file, None, None).plain()
    except UploadLimitError:
        raise
    except SourceFormatError as error:
        return Preview([], [], 0, [], {}, [], problem=error.message)
    columns = [name for name in raw.table.column_names if not name.startswith("_")]
    positions = [i for i, source in enumerate(raw.source_rows) if abs(source - row) <= around]
    table = raw.table.select(columns)
    rows = [(raw.source_rows[i], [str(v or "") for v in table.slice(i, 1).to_pylist()[0].values()]) for i in positions]
    return Preview(columns, rows, raw.table.num_rows, [], dict(raw.detected), [])
