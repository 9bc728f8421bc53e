"""Copies of a vendored source file, intact or damaged on purpose, for importer tests."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from pivgm.sources.base import VENDORED_DIR


def raw_rows(name: str) -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def raw_text(name: str) -> str:
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8", newline="") as f:
        return f.read()


def write_gzip_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with gzip.open(path, "wb") as f:
        f.write(text.encode(encoding))


def write_with_fields(folder: Path, name: str, line: int, fields: dict[str, str]) -> None:
    """A copy of vendored file ``name`` in ``folder`` whose ``line`` (0 = header) has ``fields`` replaced."""
    lines = list(csv.reader(io.StringIO(raw_text(name))))
    for field, value in fields.items():
        lines[line][lines[0].index(field)] = value
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(lines)
    write_gzip_text(folder / name, text.getvalue())


def write_without_column(folder: Path, name: str, column: str) -> None:
    """A copy of vendored file ``name`` in ``folder`` with ``column`` left out."""
    rows = raw_rows(name)
    kept = [c for c in rows[0] if c != column]
    with gzip.open(folder / name, "wt", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=kept, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
