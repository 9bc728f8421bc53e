"""A seeded synthetic register of border entries and exits, for tests and benchmarks only: never published.

Nationalities are weighted like the real flows (US southwest border encounters by nationality, FY2018-2025,
from the vendored CBP file), border posts are the codes of CL_BORDER_AREA, ages follow a working-age mixture
with a share of children, sexes differ between adults and children, and months follow a seasonal cycle.
Columns: ``event_date`` and ``birth_date`` (dates), ``sex`` (M/F), ``citizenship`` (ISO 3166 alpha-3),
``border_post`` and ``direction`` (ENTRY/EXIT). ``python -m bench.synthetic_register OUT.parquet ROWS``.
"""

from __future__ import annotations

import csv
import gzip
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pivgm.structures import load_standard

VENDORED = Path(__file__).resolve().parent.parent / "pivgm" / "sources" / "vendored"
FLOWS = VENDORED / "cbp_swb_encounters_by_nationality_fy2018-2025.csv.gz"
CHUNK = 2_000_000


def nationality_weights() -> tuple[list[str], np.ndarray]:
    """ISO3 codes and their share of the real encounters (the 'other countries' group left out)."""
    counts: Counter[str] = Counter()
    with gzip.open(FLOWS, "rt", encoding="utf-8", newline="") as text:
        for row in csv.DictReader(text):
            if row["nat"] and row["nat"] != "OOO":
                counts[row["nat"]] += int(float(row["n"]))
    codes = sorted(counts)
    weights = np.array([counts[c] for c in codes], dtype=float)
    return codes, weights / weights.sum()


def border_posts() -> list[str]:
    """The southwest border's sectors and field offices (not its total, nor the nationwide total)."""
    areas = load_standard().codelist("CL_BORDER_AREA")
    return sorted(c.id for c in areas if not c.id.startswith("_") and c.id != "NATIONWIDE")


def _chunk(rng: np.random.Generator, rows: int, year: int, codes: list[str], weights: np.ndarray) -> pa.Table:
    posts = border_posts()
    months = np.arange(1, 13)
    season = 1 + 0.25 * np.sin(2 * np.pi * (months - 3) / 12)
    month = rng.choice(months, rows, p=season / season.sum())
    first = np.array([(date(year, m, 1) - date(1970, 1, 1)).days for m in range(1, 13)])
    length = np.array([(date(year + (m == 12), m % 12 + 1, 1) - date(year, m, 1)).days for m in range(1, 13)])
    event = first[month - 1] + (rng.random(rows) * length[month - 1]).astype(np.int64)
    child = rng.random(rows) < 0.15
    age = np.where(child, rng.integers(0, 18, rows), np.clip(rng.gamma(6.0, 5.0, rows) + 14, 18, 90).astype(int))
    birth = event - (age * 365.25).astype(np.int64) - rng.integers(1, 365, rows)
    sex = np.where(rng.random(rows) < np.where(child, 0.5, 0.68), "M", "F")
    return pa.table(
        {
            "event_date": pa.array(event.astype("int32"), pa.date32()),
            "birth_date": pa.array(birth.astype("int32"), pa.date32()),
            "sex": pa.array(sex).dictionary_encode(),
            "citizenship": pa.DictionaryArray.from_arrays(
                pa.array(rng.choice(len(codes), rows, p=weights).astype("int32")), pa.array(codes)
            ),
            "border_post": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, len(posts), rows).astype("int32")), pa.array(posts)
            ),
            "direction": pa.array(np.where(rng.random(rows) < 0.55, "ENTRY", "EXIT")).dictionary_encode(),
        }
    )


def generate(path: Path, rows: int, seed: int = 2024, year: int = 2024) -> Path:
    """Write ``rows`` synthetic records to ``path`` (Parquet), the same bytes for the same seed."""
    rng = np.random.default_rng(seed)
    codes, weights = nationality_weights()
    writer = None
    done = 0
    while done < rows:
        table = _chunk(rng, min(CHUNK, rows - done), year, codes, weights)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
        done += table.num_rows
    if writer is not None:
        writer.close()
    return path


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
