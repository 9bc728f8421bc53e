"""SDMX-CSV 1.0 (first column ``DATAFLOW``) and 2.0 (``STRUCTURE``, ``STRUCTURE_ID``, ``ACTION``...).

Handled from the 2.0 specification: the delimiter is the character after ``STRUCTURE`` (or after its
``[x]`` term, which declares ``x`` the sub-field separator); ``labels=both`` ("ID: Name" headers and values,
reduced to the ID) and ``labels=name`` (a name column after each column, dropped); multi-valued columns
``ATTR[]`` (values kept as written, separator in ``detected``); multilingual columns ``ATTR[en;fr]`` (one
column per language, ``ATTR[en]``..., and ``ATTR`` with the Spanish, else English, else first value);
``SERIES_KEY``/``OBS_KEY`` (dropped: the dimension columns say the same); empty cells (absent values,
returned as null); the ``ACTION`` column
(returned in ``actions``; empty means ``I``; ``A``, the 2.0 name of merge, becomes ``M``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.ingest.numbers import detect_decimal
from pivgm.ingest.readers.base import RawTable, ReadOptions, too_many_rows
from pivgm.ingest.readers.csv_large import arrow_body, drop_blank_rows
from pivgm.ingest.readers.csv_reader import parse_records
from pivgm.ingest.readers.text import check_text, decode, read_bytes

ACTIONS = {"I": "I", "A": "M", "M": "M", "R": "R", "D": "D"}
STRUCTURE_TYPES = {"dataflow", "datastructure", "dataprovision"}
_V2_HEAD = re.compile(r'"?STRUCTURE(?:\[(.)\])?"?([,;\t|])')
_V1_HEAD = re.compile(r'"?DATAFLOW"?([,;\t|])')
_REFERENCE = re.compile(r"([\w@$.\-]+):([\w@$\-]+)(?:\(([\w.+*\-]*)\))?(?:: .*)?", re.DOTALL)
_COLUMN = re.compile(r"([^\[\]:]+?)(?:\[([^\]]*)\])?(?:: .*)?")
_FIXED_V2 = ("STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "SERIES_KEY", "OBS_KEY")
_PREFERRED_LANGUAGES = ("es", "en")


def _first_line(head: bytes) -> str:
    return head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", errors="replace")


def _records(text: str, delimiter: str, file_name: str, width: int) -> tuple[list[pa.Array], list[int]]:
    """The ``width`` columns of the data rows, with the rows' numbers; blank rows skipped. Arrow parses
    files with one record per line; others are read record by record."""
    body = text.split("\n", 1)[1] if "\n" in text else ""
    table = arrow_body(body, delimiter, [str(i) for i in range(width)]) if body.strip() else None
    if table is not None and table.num_rows == body.rstrip("\r\n").count("\n") + 1:
        table, rows = drop_blank_rows(table, 2)
        return [c.combine_chunks() for c in table.columns], list(rows)
    columns: list[list[str]] = [[] for _ in range(width)]
    numbers: list[int] = []
    for number, fields in parse_records(text, delimiter, file_name)[1:]:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) > width and any(f.strip() for f in fields[width:]):
            raise SourceFormatError(
                f"the row has {len(fields)} fields but the header has {width}.",
                file=file_name,
                row=number,
                hint="Quote fields that contain the delimiter.",
            )
        for column, value in zip(columns, [*fields, *[""] * width][:width], strict=True):
            column.append(value.strip())
        numbers.append(number)
    return [pa.array(column, pa.string()) for column in columns], numbers


def _ids_of(values: pa.Array) -> pa.Array:
    """Values written "ID: Name" reduced to the ID, when every filled value is so written."""
    filled = pc.not_equal(values, "")
    labelled = pc.match_substring(values, ": ")
    if not pc.any(filled).as_py() or not pc.all(pc.or_(pc.invert(filled), labelled)).as_py():
        return values
    return pc.replace_substring_regex(values, pattern="(?s)^(.*?): .*$", replacement="\\1")


def _languages(values: pa.Array, languages: list[str], separator: str) -> dict[str, list[str]]:
    """Per-language values of a multilingual column (``en:Value;fr:Valeur``)."""
    split: dict[str, list[str]] = {language: [] for language in languages}
    for value in values.to_pylist():
        parts = dict(p.split(":", 1) for p in value.split(separator) if ":" in p) if value else {}
        for language in languages:
            split[language].append(parts.get(language, "").strip())
    return split


class SdmxCsvReader:
    """SDMX-CSV messages, versions 1.0 and 2.0."""

    format: ClassVar[str] = "sdmx-csv"

    @classmethod
    def handles(cls, path: Path, head: bytes) -> bool:
        line = _first_line(head)
        return bool(_V2_HEAD.match(line) or _V1_HEAD.match(line))

    @classmethod
    def read(cls, path: Path, options: ReadOptions, file_name: str) -> RawTable:
        text, encoding = decode(read_bytes(path, file_name), options.encoding, file_name)
        check_text(text, file_name)
        text = text.lstrip("\ufeff")
        head = _first_line(text.encode("utf-8"))
        v2 = _V2_HEAD.match(head)
        version = "2" if v2 else "1"
        delimiter = v2.group(2) if v2 else _V1_HEAD.match(head).group(1)  # type: ignore[union-attr]
        separator = (v2.group(1) if v2 else None) or ";"
        header = [h.strip() for h in parse_records(head, delimiter, file_name)[0][1]]
        columns, rows = _records(text, delimiter, file_name, len(header))
        if options.max_rows is not None and len(rows) > options.max_rows:
            raise too_many_rows(file_name, options.max_rows)
        return _build(
            header, columns, rows, version, separator, file_name, {"encoding": encoding, "delimiter": delimiter}
        )


def _first_row(values: pa.Array, value: str, rows: list[int]) -> int:
    return rows[pc.index(values, value).as_py()]


def _structure(values: pa.Array, rows: list[int], column: str, file_name: str) -> tuple[str | None, str]:
    """The id of the one structure the rows name, and the full references seen."""
    references: dict[tuple[str, str], set[str]] = {}
    for value in pc.unique(values).to_pylist():
        match = _REFERENCE.fullmatch(value)
        if match is None:
            raise SourceFormatError(
                f"{value!r} is not a structure reference.",
                file=file_name,
                row=_first_row(values, value, rows),
                column=column,
                hint="Write AGENCY:ID(VERSION), for example PIVGM:DF_IRREGULAR_TRANSIT(1.0).",
            )
        references.setdefault((match[1], match[2]), set()).add(match[3] or "")
    if len(references) > 1:
        raise SourceFormatError(
            f"the file holds data for {len(references)} structures ({', '.join(i for _, i in references)}).",
            file=file_name,
            column=column,
            hint="Submit one dataflow per file.",
        )
    if not references:
        return None, ""
    (agency, identifier), versions = next(iter(references.items()))
    return identifier, ", ".join(
        f"{agency}:{identifier}({v})" if v else f"{agency}:{identifier}" for v in sorted(versions)
    )


def _actions(values: pa.Array, rows: list[int], file_name: str) -> pa.Array:
    """One action code per row (empty means I; A, the 2.0 name of merge, is M)."""
    written = pc.utf8_upper(values)
    for value in pc.unique(written).to_pylist():
        if value and value not in ACTIONS:
            raise SourceFormatError(
                f"action {value!r} is not one of I (information), M or A (merge), R (replace), D (delete).",
                file=file_name,
                row=_first_row(written, value, rows),
                column="ACTION",
            )
    keys = pa.array(["", *ACTIONS], pa.string())
    codes = pa.array(["I", *ACTIONS.values()], pa.string())
    return pc.take(codes, pc.index_in(written, value_set=keys))


def _parse_column(raw: str, separator: str) -> tuple[str, list[str] | None, bool]:
    """(component id, languages of a multilingual column or None, written "ID: Name")."""
    match = _COLUMN.fullmatch(raw)
    if match is None:
        return raw, None, False
    languages = [lang for lang in (match[2] or "").split(separator) if lang] or None
    return match[1].strip(), languages, ": " in raw


def _multilingual(values: pa.Array, languages: list[str], separator: str, name: str) -> dict[str, pa.Array]:
    split = _languages(values, languages, separator)
    preferred = [lang for lang in (*_PREFERRED_LANGUAGES, *languages) if lang in split]
    chosen = [next((split[lang][i] for lang in preferred if split[lang][i]), "") for i in range(len(values))]
    columns = {f"{name}[{lang}]": split[lang] for lang in languages} | {name: chosen}
    return {key: pa.array(column, pa.string()) for key, column in columns.items()}


def _components(
    header: list[str], columns: list[pa.Array], fixed: tuple[str, ...], separator: str
) -> dict[str, pa.Array]:
    """The component columns by id; with ``labels=name`` (a STRUCTURE_NAME column) every component column
    is followed by a column of names, which is dropped."""
    names_follow = "STRUCTURE_NAME" in header
    out: dict[str, pa.Array] = {}
    skip = False
    for raw, values in zip(header, columns, strict=True):
        name, languages, labelled = _parse_column(raw, separator)
        if name in fixed:
            continue
        if skip:
            skip = False
            continue
        skip = names_follow
        name = name or f"column {len(out) + 1}"
        values = _ids_of(values) if labelled else values
        columns_of = _multilingual(values, languages, separator, name) if languages else {name: values}
        out.update({key: _absent_if_empty(column) for key, column in columns_of.items()})
    return out


def _absent_if_empty(values: pa.Array) -> pa.Array:
    """An empty cell is an absent value in SDMX-CSV (not an empty code): null."""
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _build(
    header: list[str],
    columns: list[pa.Array],
    rows: list[int],
    version: str,
    separator: str,
    file_name: str,
    detected: dict[str, str],
) -> RawTable:
    ids = [_parse_column(raw, separator)[0] for raw in header]
    fixed = ("DATAFLOW",) if version == "1" else _FIXED_V2
    structure_column = "DATAFLOW" if version == "1" else "STRUCTURE_ID"
    if structure_column not in ids:
        raise SourceFormatError(f"the header has no {structure_column} column.", file=file_name, row=1)
    structure, references = _structure(columns[ids.index(structure_column)], rows, structure_column, file_name)
    if version == "2":
        types = set(pc.unique(columns[ids.index("STRUCTURE")]).to_pylist()) - {""}
        if types - STRUCTURE_TYPES:
            raise SourceFormatError(
                "STRUCTURE must be dataflow, datastructure or dataprovision, "
                f"not {sorted(types - STRUCTURE_TYPES)[0]!r}.",
                file=file_name,
                column="STRUCTURE",
            )
        detected["structure_type"] = ", ".join(sorted(types))
    actions = _actions(columns[ids.index("ACTION")], rows, file_name) if "ACTION" in ids else None
    out = _components(header, columns, fixed, separator)
    if "OBS_VALUE" in out:
        sample = out["OBS_VALUE"].slice(0, 5000).drop_null().to_pylist()
        detected["decimal"] = detect_decimal(sample) or "."
    detected.update(structure_ref=references, subfield_separator=separator)
    return RawTable(
        table=pa.table(out),
        source_rows=rows,
        file_name=file_name,
        format=f"sdmx-csv-{version}",
        detected=detected,
        notes=[],
        actions=actions,
        structure=structure,
    )
