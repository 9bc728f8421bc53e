"""Numbers as national files write them: decimal comma or point, thousands separators, missing-value marks.

``parse_number("1.234,5", ",") == 1234.5``; ``parse_number("..", ".") is None``. Anything else that is not a
number raises ``ValueError``: a figure is never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

DECIMAL_MARKS = (".", ",")

# Marks statistical offices use for "no figure": ".." (UN), "-" (nil), "n.d." (no disponible), ":" (Eurostat).
MISSING_MARKS = frozenset(
    {"", "..", "...", "…", "-", "--", "—", "–", ":", "n.d.", "n.d", "nd", "n/d", "s.d.", "s/d", "n.a.", "n/a"}
)

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})


def _pattern(decimal: str) -> re.Pattern[str]:
    thousands = "[ '.]" if decimal == "," else "[ ',]"
    grouped = rf"\d{{1,3}}(?:(?P<sep>{thousands})\d{{3}})(?:(?P=sep)\d{{3}})*"
    return re.compile(
        rf"(?P<sign>[+-]?) ?(?P<int>{grouped}|\d+)?(?:{re.escape(decimal)}(?P<frac>\d+))?"
        r"(?:[eE](?P<exp>[+-]?\d{1,3}))?"
    )


_PATTERNS = {mark: _pattern(mark) for mark in DECIMAL_MARKS}


def is_missing(text: str) -> bool:
    """True for an empty cell or a mark that means "no figure" ("..", "-", "n.d."...)."""
    return text.translate(_SPACES).strip().casefold() in MISSING_MARKS


def parse_number(text: str, decimal: str = ".") -> float | None:
    """The number ``text`` writes with ``decimal`` as decimal mark; ``None`` for a missing-value mark.

    Thousands separators (point or comma, whichever is not the decimal mark, space, apostrophe) must group
    digits by three. Raises ``ValueError`` for anything else (text, ``(123)``, ``12%``, ``1,5`` when the
    decimal mark is a point).
    """
    if decimal not in _PATTERNS:
        raise ValueError(f"decimal mark must be '.' or ',', not {decimal!r}")
    value = text.translate(_SPACES).strip()
    if value.casefold() in MISSING_MARKS:
        return None
    match = _PATTERNS[decimal].fullmatch(value)
    if match is None or not (match["int"] or match["frac"]):
        raise ValueError(f"{text!r} is not a number written with {decimal!r} as decimal mark")
    digits = re.sub(r"\D", "", match["int"] or "") or "0"
    number = float(f"{match['sign']}{digits}.{match['frac'] or '0'}e{match['exp'] or '0'}")
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is too large to be a figure")
    return number


def _evidence(decimal: str, thousands: str) -> tuple[re.Pattern[str], ...]:
    """Forms that can only mean ``decimal`` is the decimal mark."""
    d, t = re.escape(decimal), re.escape(thousands)
    return (
        re.compile(rf"[+-]?\d{{1,3}}(?:{t}\d{{3}})+{d}\d+"),  # 1.234,5
        re.compile(rf"[+-]?\d*{d}(?:\d{{1,2}}|\d{{4,}})"),  # 0,5  12,25  3,14159
        re.compile(rf"[+-]?(?:\d{{4,}}|0){d}\d+"),  # 1234,5  0,123 (not a thousands group)
    )


_EVIDENCE = {",": _evidence(",", "."), ".": _evidence(".", ",")}


def detect_decimal(values: Iterable[str]) -> str | None:
    """The decimal mark the values use, by unambiguous examples ("1.234,5", "0,5"); None if none decides.

    "1,234" and "1.234" decide nothing: either mark could be meant.
    """
    votes = {",": 0, ".": 0}
    for text in values:
        value = text.strip()
        if not value or len(value) > 40:
            continue
        for mark, patterns in _EVIDENCE.items():
            if any(p.fullmatch(value) for p in patterns):
                votes[mark] += 1
    if votes[","] == votes["."]:
        return None
    return "," if votes[","] > votes["."] else "."


def looks_numeric(text: str) -> bool:
    """True if ``text`` reads as a number with either decimal mark (missing marks are not numbers)."""
    value = text.strip()
    if not value or not (value[0].isdigit() or value[0] in "+-.,\u2212" or value[:1] == " "):
        return False
    for mark in DECIMAL_MARKS:
        try:
            if parse_number(value, mark) is not None:
                return True
        except ValueError:
            continue
    return False
