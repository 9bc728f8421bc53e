"""What an SDMX message's actions ask of a submission, checked before validation (SDMX-CSV 2.0, section 6).

- The declared structure (``STRUCTURE_ID``, or SDMX-ML's structure reference) must be the target dataflow or
  its data structure: a file made for another flow is refused with a clear report, never loaded.
- Rows with no component value (only ``STRUCTURE``, ``STRUCTURE_ID``, ``ACTION``) say nothing to apply; with
  ``D`` they would delete all the provider's data, which an upload does not do (withdraw it in review).
- A ``D`` row deletes what its non-empty cells name (any mark, such as ``-``): with the measure marked, or
  with nothing but the key, the whole observation (the whole series when the period is empty); with only
  attributes marked, just those attributes' values (the action becomes ``D:ATTR,ATTR`` for the merge). The
  marks are not values: they are cleared before validation.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pivgm.ingest.mapping import MappedTable
from pivgm.ingest.readers import RawTable
from pivgm.ingest.report import Issue, Note, Severity
from pivgm.model import Dataflow
from pivgm.warehouse.encoding import decode, encode, is_encoded

ATTRIBUTE_DELETE = "D:"


def _error(type_: str, column: str | None, value: str | None, es: str, en: str) -> Issue:
    return Issue(
        type=type_, severity=Severity.ERROR, row=None, column=column, value=value, message_es=es, message_en=en
    )


def structure_issue(raw: RawTable, dataflow: Dataflow) -> Issue | None:
    """An error when the file declares a structure other than ``dataflow`` (or its data structure)."""
    if raw.structure is None or raw.structure in (dataflow.id, dataflow.structure.id):
        return None
    declared = raw.detected.get("structure_ref") or raw.structure
    return _error(
        "structure-mismatch",
        "STRUCTURE_ID",
        declared,
        f"El archivo declara la estructura {declared}, no {dataflow.id}: sus datos son de otro conjunto. Envíelo "
        f"al conjunto {raw.structure} o corrija STRUCTURE_ID (p. ej. PIVGM:{dataflow.id}(1.0)).",
        f"The file declares the structure {declared}, not {dataflow.id}: its data belong to another dataset. "
        f"Submit it to {raw.structure}, or correct STRUCTURE_ID (e.g. PIVGM:{dataflow.id}(1.0)).",
    )


def _filled(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    plain = decode(values)
    return pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(plain), ""), False)


def _may_be_blank(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some cell of the column may be empty: for a dictionary column, read from its distinct values
    (a large file's columns: the rows are not touched)."""
    if not is_encoded(values):
        return not pc.all(_filled(values)).as_py()
    encoded = encode(values)
    return encoded.null_count > 0 or not pc.all(_filled(encoded.dictionary)).as_py()


def without_structure_only_rows(raw: RawTable) -> tuple[RawTable, Issue | None]:
    """``raw`` without the rows that carry no component value, and an error if one of them is a ``D``
    (delete everything) or if no row is left."""
    rows = len(raw.source_rows)
    empty = np.zeros(rows, dtype=bool)
    if all(_may_be_blank(column) for column in raw.table.columns):  # else no row is empty in every column
        empty[:] = True
        for column in raw.table.columns:
            empty &= ~np.asarray(_filled(column), dtype=bool)
    if empty.any():
        actions = np.asarray(raw.actions.to_pylist() if raw.actions is not None else ["I"] * rows, dtype=object)
        if (actions[empty] == "D").any():
            return raw, _error(
                "delete-everything",
                "ACTION",
                "D",
                "Una fila con solo STRUCTURE, STRUCTURE_ID y ACTION=D borraría todos los datos del proveedor: un "
                "envío no lo hace. Para retirar datos publicados, use «retirar» en la revisión.",
                "A row with only STRUCTURE, STRUCTURE_ID and ACTION=D would delete all the provider's data: a "
                "submission does not do that. To take published data down, withdraw it in review.",
            )
        kept = pa.array(~empty)
        raw = replace(
            raw,
            table=raw.table.filter(kept) if raw.table.num_columns else raw.table,
            source_rows=[row for row, keep in zip(raw.source_rows, ~empty, strict=True) if keep],
            actions=raw.actions.filter(kept) if raw.actions is not None else None,
            notes=[
                *raw.notes,
                Note(
                    f"{int(empty.sum())} row(s) with no component value were ignored.",
                    f"{int(empty.sum())} fila(s) sin ningún valor de componente se ignoraron.",
                ),
            ],
        )
    if not raw.source_rows:
        return raw, _error(
            "no-observations",
            None,
            None,
            "El archivo no tiene filas de datos: no hay nada que comprobar ni cargar.",
            "The file has no data rows: there is nothing to check or load.",
        )
    return raw, None


def _stand_in(dataflow: Dataflow, column: str) -> str | None:
    """What a ``D`` row's cell holds while it is validated (a deletion names a key; it needs no values, and the
    row is never stored): 0 for the measure (a row without a value would be dropped before the merge), a valid
    code for a mandatory attribute, nothing for the others."""
    if column == dataflow.structure.measure.id:
        return "0"
    attribute = next((a for a in dataflow.structure.attributes if a.id == column), None)
    if attribute is None or not attribute.mandatory or column in dataflow.defaults:
        return None
    return attribute.codelist.codes[0].id if attribute.codelist is not None and attribute.codelist.codes else "-"


def prepare_deletions(mapped: MappedTable, raw: RawTable, dataflow: Dataflow) -> tuple[MappedTable, RawTable]:
    """Deletion marks cleared from ``D`` rows (so that ``-`` is not read as a number or a code), and the
    rows that delete only attributes given the action ``D:ATTR,ATTR``."""
    if raw.actions is None:
        return mapped, raw
    deleting = pc.fill_null(pc.equal(raw.actions, "D"), False)
    if not pc.any(deleting).as_py():
        return mapped, raw
    structure = dataflow.structure
    table = mapped.table
    names = table.column_names
    measure = structure.measure.id
    measure_marked = _filled(table.column(measure)) if measure in names else pa.repeat(False, table.num_rows)
    attributes = [a for a in structure.attribute_ids if a in names]
    marked = {a: pc.and_(deleting, _filled(table.column(a))) for a in attributes}
    actions = raw.actions.to_pylist()
    for position in np.flatnonzero(np.asarray(deleting)):
        if measure_marked[position].as_py():
            continue
        named = [a for a in attributes if marked[a][position].as_py()]
        if named:
            actions[position] = ATTRIBUTE_DELETE + ",".join(named)
    for column in [measure, *attributes]:
        if column in names:
            index = table.column_names.index(column)
            stand_in = pa.scalar(_stand_in(dataflow, column), pa.string())
            cleared = pc.if_else(deleting, stand_in, decode(table.column(column)))
            table = table.set_column(index, column, encode(cleared))
    return MappedTable(table, mapped.column_labels), replace(raw, actions=pa.array(actions, pa.string()))
