"""One table through tau-ARGUS (``pytauargus``, HiGHS): optimal secondary suppression or controlled rounding.

The table goes in as tau-ARGUS tabular input: one line per cell with its codes (``_T`` for totals), value,
number of records, protection levels and status (``U`` for a primary cell, ``S`` otherwise); a batch file
asks for ``OPT`` (secondary suppression) or ``RND`` (controlled rounding) and writes the protected table
back, which is read by its codes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
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


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the native solvers, which print their progress to the process's standard output."""
    saved = os.dup(1)
    with open(os.devnull, "wb") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def _engine() -> object:
    from pytauargus.engine import Engine

    class RoundingEngine(Engine):
        """The legacy desktop check refuses rounding bases below 10^(digits of the largest cell - 1), a rule
        of thumb of its user interface, not of the rounder: small counts need base 3 or 5."""

        def _min_round_base(self, tab: int) -> int:
            return 1

    return RoundingEngine()


def run(cells: Sequence[TabCell], dimensions: int, command: str) -> dict[tuple[str, ...], tuple[float, str]]:
    """Each cell's codes -> (published value, tau-ARGUS status: S safe, U primary, M secondary)."""
    from pytauargus.batch import BatchError

    with tempfile.TemporaryDirectory(prefix="pivgm-tau-") as tmp:
        folder = Path(tmp)
        (folder / "table.rda").write_text(_metadata([f"D{i}" for i in range(dimensions)]), encoding="utf-8")
        (folder / "table.tab").write_text("\n".join(_line(c) for c in cells) + "\n", encoding="utf-8")
        try:
            with _quiet(), contextlib.chdir(folder):  # the solvers write their logs to the working folder
                _engine().run_batch(_batch(folder, dimensions, command))  # type: ignore[attr-defined]
        except BatchError as error:
            raise PivgmError(f"tau-ARGUS could not protect the table ({command}): {error}") from None
        return _read(folder / "out.tab", dimensions)
