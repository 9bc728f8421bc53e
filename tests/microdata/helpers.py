"""Running ``pivgm`` as a user does, and reading the real ICE records independently of the platform."""

from __future__ import annotations

import csv
import gzip
import io
import subprocess
from collections import Counter
from pathlib import Path

from pivgm.settings import Settings
from tests.backends import environment_for
from tests.executable import EXECUTABLE

SPECIMENS = Path(__file__).resolve().parent / "specimens"
ICE = [SPECIMENS / "ice" / "other-removals.csv.gz", SPECIMENS / "ice" / "expedited-removals.csv.gz"]
RECIPE = Path(__file__).resolve().parents[2] / "pivgm" / "microdata" / "recipes" / "us_ice_removals.yaml"
SEX = {"Male": "M", "Female": "F", "Unknown": "_U"}


def pivgm(settings: Settings, *arguments: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {**environment_for(settings), "COLUMNS": "200"}
    return subprocess.run([str(EXECUTABLE), *arguments], env=env, capture_output=True, text=True, timeout=timeout)


def raw_lines(path: Path) -> list[list[str]]:
    """The data lines of a released ICE file, split by hand: the lines after the one naming 'Gender'."""
    with gzip.open(path, "rt", encoding="utf-8") as text:
        lines = text.read().splitlines()
    header = next(i for i, line in enumerate(lines) if '"Gender"' in line)
    return [[field.strip('"') for field in line.split("|")] for line in lines[header + 1 :] if line]


def raw_counts() -> Counter[tuple[str, str, str]]:
    """(citizenship name, sex code, YYYY-MM) -> records, from the raw lines of both files."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for path in ICE:
        for fields in raw_lines(path):
            month, _day, year = fields[0].split("/")
            counts[(fields[3], SEX[fields[2]], f"{year}-{int(month):02d}")] += 1
    return counts


def read_submission(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
