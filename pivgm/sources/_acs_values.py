"""One ACS cell pair: an estimate and its margin of error, with the Census Bureau's special values read.

Special values stand for "not computable", "not available" or "too few sample cases" (-666666666,
-999999999, -222222222...): the estimate is then left out, or its margin is unknown. -555555555 marks a
controlled estimate, which has no sampling error.
"""

from __future__ import annotations

from collections.abc import Mapping

from pivgm.errors import SourceFormatError
from pivgm.sources._acs_derived import Estimate

CONTROLLED = -555_555_555.0
CONTROLLED_NOTE = "Controlled estimate: no sampling error (Census Bureau annotation *****)."
NO_MOE_NOTE = "The Census Bureau publishes no margin of error for this estimate."
SPECIAL = -100_000_000  # the special values are all below this

Found = tuple[Estimate, str | None, str | None]  # estimate, its MOE as published, a note


def number(text: str, file: str, row: int, column: str) -> float | None:
    """A published number; None for an empty cell or a special value."""
    if text in ("", "null"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise SourceFormatError(f"{text!r} is not a number.", file=file, row=row, column=column) from None
    return None if value <= SPECIAL else value


def margin(text: str, file: str, row: int, column: str) -> tuple[str | None, float | None, str | None]:
    """(text kept as published, value for arithmetic, note) of a margin of error."""
    try:
        if float(text) == CONTROLLED:
            return None, 0.0, CONTROLLED_NOTE
    except ValueError:
        pass
    value = number(text, file, row, column)
    if value is None:
        return None, None, NO_MOE_NOTE
    if value < 0:
        raise SourceFormatError(f"a margin of error cannot be negative ({text}).", file=file, row=row, column=column)
    return text, value, None


def read_estimate(row: Mapping[str, str], variable: str, file: str, line: int) -> Found | None:
    """The estimate ``variable`` (``..._E``) of a row and its margin (``..._M``); None if not published."""
    moe_column = variable[:-1] + "M"
    for column in (variable, moe_column):
        if column not in row:
            raise SourceFormatError("the column the legend names is not in the file.", file=file, row=1, column=column)
    value = number(row[variable], file, line, variable)
    if value is None:
        return None
    text, moe, note = margin(row[moe_column], file, line, moe_column)
    return Estimate(value, moe), text, note
