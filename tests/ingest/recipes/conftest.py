"""Run a recipe over a small table written as a real file, as ``pivgm validate --recipe`` does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pivgm.ingest.recipes import map_table, parse_recipe, read_with_recipe
from pivgm.structures import load_standard
from pivgm.warehouse.checks import ROW
from pivgm.warehouse.encoding import decode_table

Rows = list[list[Any]]


def write_csv(path: Path, rows: Rows) -> Path:
    path.write_text("\n".join(",".join(str(cell) for cell in row) for row in rows) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, sheets: dict[str, Rows], merges: dict[str, list[str]] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    workbook.save(path)
    return path


def run_recipe(path: Path, text: str, flow: str = "DF_MIG_STOCK") -> list[dict[str, Any]]:
    """The mapped rows (component -> code or text, ``_row`` -> file row) of ``path`` read with recipe ``text``."""
    recipe = parse_recipe(text, "test.yaml")
    dataflow = load_standard().dataflow(flow)
    raw = read_with_recipe(path, recipe, file_name=path.name)
    applied = map_table(raw, recipe, dataflow)
    return decode_table(applied.mapped.table).to_pylist()


@pytest.fixture
def recipe_rows(tmp_path: Path) -> Callable[..., list[dict[str, Any]]]:
    """``recipe_rows(text, rows)`` (a CSV) or ``recipe_rows(text, path=...)``: the mapped rows."""

    def run(text: str, rows: Rows | None = None, *, path: Path | None = None, flow: str = "DF_MIG_STOCK"):
        file = path if path is not None else write_csv(tmp_path / "data.csv", rows or [])
        return run_recipe(file, text, flow)

    return run


__all__ = ["ROW", "write_csv", "write_xlsx"]
