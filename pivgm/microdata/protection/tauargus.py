"""One table through tau-ARGUS (``pytauargus``, HiGHS): optimal secondary suppression or controlled rounding.

The table goes in as tau-ARGUS tabular input: one line per cell with its codes (``_T`` for totals), value,
number of records, protection levels and status (``U`` for a primary cell, ``S`` otherwise); a batch file
asks for ``OPT`` (secondary suppression) or ``RND`` (controlled rounding) and writes the protected table
back, which is read by its codes. Independent tables are solved side by side, one process per core.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pivgm.errors import PivgmError

TOTAL = "_T"


@dataclass(frozen=True)
class TabCell:
    """A cell of one table: its codes in the table's dimension order, and what tau-ARGUS needs."""

    codes: tuple[str, ...]
    value: float
    records: int
    primary: bool = False
    lower: float = 0.0
    upper: float = 0.0


def _metadata(dimensions: Sequence[str]) -> str:
    lines = ['<SEPARATOR> ";"', "<SAFE> S", "<UNSAFE> U", "<PROTECT> P"]
    for index in range(len(dimensions)):
        lines += [f'D{index} "" ""', "<RECODEABLE>", f'<TOTCODE> "{TOTAL}"']
    lines += ['VALUE "" ""', "<NUMERIC>", "<DECIMALS> 0", 'FREQ "" ""', "<FREQUENCY>"]
    lines += ['LPL "" ""', "<NUMERIC> <LOWERPL>", 'UPL "" ""', "<NUMERIC> <UPPERPL>", 'STATUS "" ""', "<STATUS>"]
    return "\n".join(lines) + "\n"


def _line(cell: TabCell) -> str:
    codes = ";".join(f'"{code}"' for code in cell.codes)
    status = "U" if cell.primary else "S"
    return f"{codes};{cell.value:.0f};{cell.records};{cell.lower:.0f};{cell.upper:.0f};{status}"


def _batch(folder: Path, dimensions: int, command: str) -> Path:
    names = "".join(f'"D{i}"' for i in range(dimensions))
    batch = folder / "table.arb"
    batch.write_text(
        f'<OPENTABLEDATA> "{folder / "table.tab"}"\n<OPENMETADATA> "{folder / "table.rda"}"\n'
        f'<SPECIFYTABLE> {names}|"VALUE"||\n<SAFETYRULE> MAN(0)\n<READTABLE> 1\n<SUPPRESS> {command}\n'
        f'<WRITETABLE> (1,5,SO+,"{folder / "out.tab"}")\n',
        encoding="utf-8",
    )
    return batch


def _read(path: Path, dimensions: int) -> dict[tuple[str, ...], tuple[float, str]]:
    result = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split(";")
        if len(fields) < dimensions + 6:
            continue
        codes = tuple(f.strip().strip('"').strip() for f in fields[:dimensions])  # codes come back padded
        result[codes] = (float(fields[dimensions]), fields[-3])
    return result


def _engine() -> object:
    from pytauargus.engine import Engine

    class RoundingEngine(Engine):
        """The legacy desktop check refuses rounding bases below 10^(digits of the largest cell - 1), a rule
        of thumb of its user interface, not of the rounder: small counts need base 3 or 5."""

        def _min_round_base(self, tab: int) -> int:
            return 1

    return RoundingEngine()


def _solve(batch: Path) -> None:
    """Run one batch file (in a process of its own: see ``run_all``)."""
    from pytauargus.batch import BatchError

    try:
        _engine().run_batch(batch)  # type: ignore[attr-defined]
    except BatchError as error:
        print(error, file=sys.stderr)
        sys.exit(1)


def _solve_apart(folder: Path, command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", __name__, str(folder / "table.arb")],
        cwd=folder,  # the solvers write their logs to the working folder
        stdout=subprocess.DEVNULL,  # and their progress to standard output
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)},
        text=True,
        check=False,
    )
    if result.returncode != 0:
        said = result.stderr.strip().splitlines()[-1:] or [f"exit status {result.returncode}"]
        raise PivgmError(f"tau-ARGUS could not protect the table ({command}): {said[0]}")


def run_all(
    tables: Sequence[Sequence[TabCell]],
    dimensions: int,
    command: str,
    done: Callable[[int], None] = lambda _count: None,
) -> list[dict[tuple[str, ...], tuple[float, str]]]:
    """For each table, each cell's codes -> (published value, tau-ARGUS status: S safe, U primary, M
    secondary); ``done`` is told how many tables are done.

    Each table is solved in a process of its own (the native solvers print to standard output and write to
    the working folder, which belong to the whole process), as many at a time as there are cores: tables
    are independent, and each is the same problem for the same solver however many run beside it.
    """
    with tempfile.TemporaryDirectory(prefix="pivgm-tau-") as tmp:
        folders = []
        for number, cells in enumerate(tables):
            folder = Path(tmp) / f"table-{number:04d}"
            folder.mkdir()
            (folder / "table.rda").write_text(_metadata([f"D{i}" for i in range(dimensions)]), encoding="utf-8")
            (folder / "table.tab").write_text("\n".join(_line(c) for c in cells) + "\n", encoding="utf-8")
            _batch(folder, dimensions, command)
            folders.append(folder)
        workers = max(1, min(len(folders), os.cpu_count() or 1))
        results = []
        with ThreadPoolExecutor(workers) as pool:  # threads that wait for the processes
            for folder, _ in zip(folders, pool.map(lambda f: _solve_apart(f, command), folders), strict=True):
                results.append(_read(folder / "out.tab", dimensions))
                done(len(results))
        return results


def run(cells: Sequence[TabCell], dimensions: int, command: str) -> dict[tuple[str, ...], tuple[float, str]]:
    """Each cell's codes -> (published value, tau-ARGUS status: S safe, U primary, M secondary)."""
    return run_all([cells], dimensions, command)[0]


if __name__ == "__main__":
    _solve(Path(sys.argv[1]))
