"""Downloads of the explorer: the table on screen (``view``), the observations of the selection as a long
table (``long``), or the full dataflow (``full``), as CSV (with units, flags and a header
comment on the source), XLSX (a data sheet and a metadata sheet), SDMX-CSV 1.0, or a zip of the data with a
metadata README. One writer per format (a registry).

Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
neutralised with a leading apostrophe; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.catalog.decimals import table_with_decimals
from pivgm.catalog.grid import MOE, TIME, Grid
from pivgm.catalog.site import Download
from pivgm.cells import safe
from pivgm.errors import InvalidParameterError, in_both
from pivgm.model import Dataflow
from pivgm.sdmx.messages import DataMessage, Header
from pivgm.sdmx.writers.csv import sdmx_csv_1
from pivgm.web.formats import date_label
from pivgm.web.labels import Labels
from pivgm.web.rendering import url
from pivgm.web.shown_table import shown_rows
from pivgm.web.xlsx import workbook

NEWLINE = "\r\n"  # RFC 4180: a carriage return inside a text is then quoted, not taken for a line end


@dataclass(frozen=True)
class Sheet:
    """A table to write: header and rows (numbers stay numbers), plus what the file is about. A large table
    (every observation of a selection or dataflow) comes as ``columns``, an Arrow table in header order whose
    text is already neutralised, written column by column rather than cell by cell."""

    header: list[str]
    rows: list[list[Any]]
    about: list[tuple[str, str]]  # (label, text): source, release, selection, units...
    name: str
    columns: pa.Table | None = None

    def records(self) -> Iterator[Sequence[Any]]:
        """Every row, from ``columns`` when the sheet has them."""
        if self.columns is None:
            yield from self.rows
            return
        for batch in self.columns.to_batches(max_chunksize=CHUNK_ROWS):
            yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


CHUNK_ROWS = 65_536


def _coded(dataflow: Dataflow) -> list[str]:
    structure = dataflow.structure
    coded = [d.id for d in structure.dimensions if d.codelist is not None]
    return coded + [a.id for a in structure.attributes if a.codelist is not None]


def _mapped(column: pa.ChunkedArray, text: Callable[[str], Any]) -> pa.Array:
    """``text`` of each distinct value of a text column (a release has few), spread back over the rows."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    names = pa.array([None if v is None else safe(text(v)) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.take(names, encoded.indices)


def _observation_sheet(table: pa.Table, labels: Labels, about: list[tuple[str, str]], name: str) -> Sheet:
    """Observations with a name column after each coded column."""
    dataflow = labels.dataflow
    coded = set(_coded(dataflow))
    header: list[str] = []
    arrays: list[pa.Array | pa.ChunkedArray] = []
    for column in (c for c in table.column_names if c != "TIME_PERIOD_START"):
        values = table.column(column)
        if column == MOE:
            values = pc.cast(pc.if_else(pc.equal(values, ""), None, values), pa.float64())
        elif column == "OBS_COMMENT":
            values = _mapped(values, labels.comment)
        elif pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            values = _mapped(values, lambda v: v)
        header.append(column)
        arrays.append(values)
        if column in coded:
            header.append(f"{column}_NAME")
            arrays.append(_mapped(table.column(column), lambda v, c=column: labels.code(c, v)))  # type: ignore[misc]
    return Sheet(header, [], about, name, pa.table(arrays, names=header))


def _grid_sheet(grid: Grid, labels: Labels, about: list[tuple[str, str]], name: str) -> Sheet:
    """Figures as displayed when dimensions are added up: one row per key and period."""
    header = [h for d in grid.dimensions for h in (d, f"{d}_NAME")]
    header += [
        TIME,
        "OBS_VALUE",
        "UNIT_MEASURE",
        "UNIT_MULT",
        "OBS_STATUS",
        "CONF_STATUS",
        "OBS_COMMENT",
        "OBSERVATIONS",
    ]
    with_moe = any(cell.moe is not None for cell in grid.cells.values())
    if with_moe:
        header.insert(header.index("OBS_VALUE") + 1, MOE)
    rows = []
    for key in grid.keys:
        for period, cell in grid.series(key):
            row: list[Any] = [v for d, c in zip(grid.dimensions, key, strict=True) for v in (c, labels.code(d, c))]
            row += [
                period,
                cell.value,
                cell.unit,
                cell.multiplier,
                " ".join(cell.statuses),
                " ".join(cell.confidentiality),
                "; ".join(labels.comment(text) for text in cell.comments),
                cell.observations,
            ]
            if with_moe:
                row.insert(header.index(MOE), cell.moe)
            rows.append(row)
    return Sheet(header, rows, about, name)


def about(download: Download, labels: Labels, link: str, scope: str) -> list[tuple[str, str]]:
    """What the file holds and where it comes from, in the page's language."""
    view = download.view
    dataflow = view.dataflow
    metadata = dataflow.metadata
    language = labels.language
    release = view.summary.release
    selection = "; ".join(
        f"{labels.dimension(d)}: "
        + (", ".join(f"{c} ({labels.code(d, c)})" for c in codes) if codes else labels.t("all_codes"))
        for d, codes in view.state.filters.items()
    )
    period = f"{view.state.start or '…'} – {view.state.end or '…'}"
    items = [
        (labels.t("dataset"), f"{dataflow.name.get(language)} ({dataflow.id}, {dataflow.agency} {dataflow.version})"),
        (labels.t("source"), metadata.source.get(language)),
        (labels.t("source_link"), metadata.source_url),
        (labels.t("licence"), metadata.licence.get(language)),
    ]
    if release is not None:
        items.append((labels.t("release_label"), f"{release.id} · {date_label(release.published_at, language)}"))
    items.append((labels.t("scope"), labels.t(f"scope_{scope}")))
    if scope != "full":
        items += [(labels.t("selection"), selection), (labels.t("periods"), period)]
        if view.summed and scope == "view":
            items.append((labels.t("added_up"), ", ".join(labels.dimension(d) for d in view.summed)))
    if scope == "long":
        api = url(f"/api/data/{dataflow.id}", view.state.api_params())
        items.append((labels.t("same_in_the_api"), link.split("/explore/", 1)[0] + api))
    items += [
        (labels.t("definition"), metadata.definition.get(language)),
        (labels.t("comparability"), metadata.comparability.get(language)),
        (labels.t("flags_legend"), labels.t("flags_explained")),
        (labels.t("downloaded_from"), link),
    ]
    return items


def sheet(download: Download, labels: Labels, link: str, scope: str) -> Sheet:
    """The table a download holds: the table on screen (``view``; when it cannot be drawn and dimensions are
    added up, the figures as displayed, one row per key and period), every observation of the release
    (``full``), or the observations of the selection (``long``), the same as the data API link it names
    gives, dimensions added up on screen or not."""
    info = about(download, labels, link, scope)
    name = download.view.dataflow.id
    if scope == "full" and download.full is not None:
        return _observation_sheet(download.full.table, labels, info, name)
    view = download.view
    if scope == "view":
        shown = shown_rows(view.shape, labels)
        if shown is not None:
            return Sheet(shown[0], shown[1], info, name)
        if view.grid is not None and view.summed:
            return _grid_sheet(view.grid, labels, info, name)
    if view.data is None:
        return Sheet(["TIME_PERIOD", "OBS_VALUE"], [], info, name)
    return _observation_sheet(view.data.table, labels, info, name)


def _csv_value(value: Any) -> Any:
    """A cell as CSV text: nothing for a missing value, a count without ".0", text neutralised."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return safe(value)


def _csv_columns(columns: pa.Table) -> pa.Table:
    """Numbers as text by Arrow (1071 for a count held as 1071.0; 0.25 as 0.25), text as it is."""
    return pa.table(
        [c if pa.types.is_string(c.type) else pc.cast(c, pa.string()) for c in columns.columns],
        names=columns.column_names,
    )


def _csv_lines(table: Sheet) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=NEWLINE)
    for label, text in table.about:
        buffer.write(f"# {label}: {' '.join(str(text).split())}{NEWLINE}")
    writer.writerow(table.header)
    if table.columns is not None:
        writer.writerows(replace(table, columns=_csv_columns(table.columns)).records())  # None is written as ""
    else:
        writer.writerows([_csv_value(v) for v in row] for row in table.rows)
    yield buffer.getvalue()


def write_csv(table: Sheet) -> bytes:
    return "".join(_csv_lines(table)).encode("utf-8")


def write_xlsx(table: Sheet) -> bytes:
    """A data sheet and a metadata sheet; a large table is streamed column by column."""
    data = [table.header, *([safe(v) for v in row] for row in table.rows)]
    metadata = [[safe(label), safe(str(text))] for label, text in table.about]
    return workbook([(table.name, data, table.columns), ("metadata", metadata, None)])


def sdmx_csv(table: pa.Table, dataflow: Dataflow) -> bytes:
    """SDMX-CSV 1.0 by the SDMX package's writer (DATAFLOW agency:id(version), dimensions, TIME_PERIOD,
    OBS_VALUE, attributes, ``DECIMALS`` computed as the API does); free-text attributes are neutralised first,
    like every download."""
    structure = dataflow.structure
    table = table_with_decimals(table, dataflow)
    columns = [c for c in structure.published_column_ids if c in table.column_names]
    selected = table.select(columns)
    for attribute in structure.attributes:
        if attribute.codelist is None and attribute.id in columns:
            texts = [safe(v) for v in selected.column(attribute.id).to_pylist()]
            position = selected.schema.get_field_index(attribute.id)
            selected = selected.set_column(position, attribute.id, pa.array(texts, pa.string()))
    message = DataMessage(Header.new(), dataflow, selected.to_batches())
    return b"".join(sdmx_csv_1(message))


def readme(table: Sheet, files: Sequence[str]) -> bytes:
    lines = [f"# {table.about[0][1]}", ""]
    lines += [f"- **{label}:** {' '.join(str(text).split())}" for label, text in table.about[1:]]
    lines += ["", *(f"- `{name}`" for name in files), ""]
    return "\n".join(lines).encode("utf-8")


@dataclass(frozen=True)
class Writer:
    media_type: str
    extension: str
    write: Callable[[Download, Labels, str, str], bytes]


def _observations(download: Download, scope: str) -> pa.Table | None:
    if scope == "full" and download.full is not None:
        return download.full.table
    return download.view.data.table if download.view.data is not None else None


def _write_sdmx(download: Download, labels: Labels, link: str, scope: str) -> bytes:
    """SDMX-CSV is observations only: the selection's (``long``) or the dataflow's (``full``)."""
    if scope == "view":
        raise InvalidParameterError(
            "SDMX-CSV holds observations, not the table on screen; ask for scope=long (the selection's "
            "observations) or scope=full (the whole dataflow), or format=csv or xlsx for the table on screen.",
            parameter="scope",
            **in_both(
                "SDMX-CSV contiene observaciones, no la tabla en pantalla: pida scope=long (las observaciones "
                "de la selección) o scope=full (todo el conjunto), o format=csv o xlsx para la tabla en pantalla.",
                "SDMX-CSV holds observations, not the table on screen; ask for scope=long (the selection's "
                "observations) or scope=full (the whole dataflow), or format=csv or xlsx for the table on screen.",
            ),
        )
    table = _observations(download, scope)
    dataflow = download.view.dataflow
    return sdmx_csv(table, dataflow) if table is not None else b"DATAFLOW\n"


def _write_zip(download: Download, labels: Labels, link: str, scope: str) -> bytes:
    table = sheet(download, labels, link, scope)
    stem = table.name
    files = {
        f"{stem}.csv": write_csv(table),
        f"{stem}.xlsx": write_xlsx(table),
    }
    if scope != "view":  # SDMX-CSV holds observations, not the table on screen
        files[f"{stem}.sdmx.csv"] = _write_sdmx(download, labels, link, scope)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", readme(table, list(files)))
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


WRITERS: dict[str, Writer] = {
    "csv": Writer("text/csv; charset=utf-8", "csv", lambda d, lab, link, scope: write_csv(sheet(d, lab, link, scope))),
    "xlsx": Writer(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        lambda d, lab, link, scope: write_xlsx(sheet(d, lab, link, scope)),
    ),
    "sdmx-csv": Writer("application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8", "sdmx.csv", _write_sdmx),
    "zip": Writer("application/zip", "zip", _write_zip),
}
