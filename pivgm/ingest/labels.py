"""National labels to codes: "Hombres" -> ``M``, "0 a 4 años" -> ``Y0T4``, "Ene-2024" -> ``2024-01``.

A ``CodeMatcher`` knows one codelist: its code ids, its Spanish and English names and the alias table
``alias/<CODELIST>.yaml``. Matching ignores case, accents, punctuation, spacing and footnote marks
("Panamá Oeste (2)"). Periods are parsed, not looked up: see ``parse_period_label``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pivgm.model import Codelist

ALIAS_DIR = Path(__file__).resolve().parent / "alias"

_FOOTNOTE_MARK = re.compile(r"(?:\s*(?:\(\d{1,2}\)|\([a-z]{1,2}\)|\d{1,2}/|[a-z]/|\*+|[¹²³⁴⁵⁶⁷⁸⁹]))+\s*$")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """A label's comparison form: no accents, case, punctuation or footnote marks; single spaces."""
    text = _FOOTNOTE_MARK.sub("", text.strip())
    text = strip_accents(text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _key(text: str) -> str:
    """The lookup key: ``normalise`` without spaces, so "EE.UU." and "EEUU" are one name."""
    return normalise(text).replace(" ", "")


@cache
def load_aliases(codelist_id: str) -> dict[str, tuple[str, ...]]:
    """The alias table of a codelist (code -> names), empty if it has none."""
    path = ALIAS_DIR / f"{codelist_id}.yaml"
    if not path.exists():
        return {}
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(code): tuple(str(name) for name in names) for code, names in document["aliases"].items()}


@dataclass
class CodeMatcher:
    """Label -> code for one codelist; layers of names, the first layer that knows a label wins.

    Within a layer, a label two codes share (e.g. "Congo" in some name lists) is ambiguous and matches
    nothing, so the user is asked rather than given a wrong code.
    """

    codelist: Codelist
    _index: dict[str, str] = field(default_factory=dict)
    _names: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, codelist: Codelist, extra_layers: Iterable[Mapping[str, Iterable[str]]] = ()) -> CodeMatcher:
        matcher = cls(codelist)
        aliases = {code: names for code, names in load_aliases(codelist.id).items() if code in codelist}
        names: dict[str, list[str]] = {
            code.id: [text for text in code.name.texts.values() if text] for code in codelist
        }
        layers: list[Mapping[str, Iterable[str]]] = [aliases, names, *extra_layers]
        for layer in layers:
            matcher._add_layer(layer)
        return matcher

    def _add_layer(self, layer: Mapping[str, Iterable[str]]) -> None:
        seen: dict[str, str | None] = {}
        for code, labels in layer.items():
            for label in labels:
                key = _key(label)
                if not key or key in self._index:
                    continue
                seen[key] = code if seen.get(key, code) == code else None
                self._names.setdefault(normalise(label), set()).add(code)
        self._index.update({key: code for key, code in seen.items() if code is not None})

    def match(self, label: str) -> str | None:
        """The code ``label`` stands for: an exact code id, or a known name; None if unknown."""
        text = label.strip()
        if text in self.codelist:
            return text
        if text.upper() in self.codelist and text.isalpha():
            return text.upper()
        return self._index.get(_key(text))

    def closest(self, label: str, n: int = 3) -> list[str]:
        """Up to ``n`` codes whose names are most like ``label``: hints for an unmatched label."""
        names = difflib.get_close_matches(normalise(label), list(self._names), n=n * 2, cutoff=0.6)
        ids = difflib.get_close_matches(label.strip().upper(), sorted(self.codelist.ids()), n=n, cutoff=0.75)
        codes: list[str] = []
        for code in [*(c for name in names for c in sorted(self._names[name])), *ids]:
            if code not in codes:
                codes.append(code)
        return codes[:n]


# --- ages --------------------------------------------------------------------------------------------

_AGE_FORMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"(?:de )?(\d{1,3}) ?(?:a|-|to|y|hasta) ?(\d{1,3})(?: anos?| years?)?"), lambda m: f"Y{m[1]}T{m[2]}"),
    (
        re.compile(r"(?:menores de|menor de|menos de|under|less than|<) ?(\d{1,3})(?: anos?| years?)?"),
        lambda m: f"Y_LT{m[1]}",
    ),
    (
        re.compile(r"(\d{1,3})(?: anos?| years?)? ?(?:y mas|o mas|\+|or more|or over|and over|y \+)(?: anos?)?"),
        lambda m: f"Y_GE{m[1]}",
    ),
    (
        re.compile(r"(?:mas de|mayores de|over|more than|>) ?(\d{1,3})(?: anos?| years?)?"),
        lambda m: f"Y_GE{int(m[1]) + 1}",
    ),
    (re.compile(r"(?:>=|de) ?(\d{1,3}) ?(?:anos?|years?) (?:y|o) mas"), lambda m: f"Y_GE{m[1]}"),
)


def age_code(label: str) -> str | None:
    """The CL_AGE-style id an age range label names ("0 a 4 años" -> Y0T4, "60 y más" -> Y_GE60)."""
    text = " ".join(strip_accents(_FOOTNOTE_MARK.sub("", label.strip())).casefold().replace("–", "-").split())
    text = text.replace(" - ", "-")
    for pattern, code in _AGE_FORMS:
        match = pattern.fullmatch(text)
        if match:
            return code(match)
    return None


class AgeMatcher(CodeMatcher):
    """Ages: names and aliases first, then ranges read from the label if the codelist has that code."""

    def match(self, label: str) -> str | None:
        code = super().match(label)
        if code is not None:
            return code
        candidate = age_code(label)
        return candidate if candidate is not None and candidate in self.codelist else None


def _country_matcher(codelist: Codelist) -> CodeMatcher:
    from pivgm.ingest.countries import CountryMatcher  # countries builds on this module

    return CountryMatcher.build_for(codelist)


# Codelists whose labels need more than names and aliases; any other codelist gets a plain CodeMatcher.
SPECIAL_MATCHERS: dict[str, Callable[[Codelist], CodeMatcher]] = {
    "CL_AGE": AgeMatcher.build,
    "CL_AREA": _country_matcher,
}

_MATCHERS: dict[tuple[str, str, str], CodeMatcher] = {}


def matcher_for(codelist: Codelist) -> CodeMatcher:
    """The (cached) matcher of a codelist."""
    key = (codelist.agency, codelist.id, codelist.version)
    if key not in _MATCHERS:
        _MATCHERS[key] = SPECIAL_MATCHERS.get(codelist.id, CodeMatcher.build)(codelist)
    return _MATCHERS[key]


# --- periods -----------------------------------------------------------------------------------------

_MONTHS = {
    **dict.fromkeys(["ene", "enero", "jan", "january", "janeiro"], 1),
    **dict.fromkeys(["feb", "febrero", "february", "fev", "fevereiro"], 2),
    **dict.fromkeys(["mar", "marzo", "march", "marco"], 3),
    **dict.fromkeys(["abr", "abril", "apr", "april"], 4),
    **dict.fromkeys(["may", "mayo", "mai", "maio"], 5),
    **dict.fromkeys(["jun", "junio", "june", "junho"], 6),
    **dict.fromkeys(["jul", "julio", "july", "julho"], 7),
    **dict.fromkeys(["ago", "agosto", "aug", "august"], 8),
    **dict.fromkeys(["sep", "sept", "set", "septiembre", "setiembre", "september", "setembro"], 9),
    **dict.fromkeys(["oct", "octubre", "october", "out", "outubro"], 10),
    **dict.fromkeys(["nov", "noviembre", "november", "novembro"], 11),
    **dict.fromkeys(["dic", "diciembre", "dec", "december", "dez", "dezembro"], 12),
}
_QUARTER_WORDS = {"t", "q", "trim", "trimestre", "trimestres", "quarter", "qtr"}
_ORDINALS = {
    **dict.fromkeys(["i", "1", "primer", "primero", "first", "1st"], 1),
    **dict.fromkeys(["ii", "2", "segundo", "second", "2nd"], 2),
    **dict.fromkeys(["iii", "3", "tercer", "tercero", "third", "3rd"], 3),
    **dict.fromkeys(["iv", "4", "cuarto", "fourth", "4th"], 4),
}
_YEAR_WORDS = {"ano", "anio", "year", "gestion", "ejercicio"}
_FILLER = {"de", "del", "of", "el", "la", "er", "o", "ro", "do", "to", "st", "nd", "rd", "th", "mes", "month"}
_TOKENS = re.compile(r"\d+|[a-z]+")


def _year(token: str, *, short: bool) -> int | None:
    if len(token) == 4 and token.isdigit() and 1900 <= int(token) <= 2100:
        return int(token)
    if short and len(token) == 2 and token.isdigit():
        return 2000 + int(token) if int(token) < 70 else 1900 + int(token)
    return None


def _month_period(tokens: list[str]) -> str | None:
    """[year, month] in either order; the month a number (2024-01, 01/2024, 2024M01) or a name."""
    named = [t for t in tokens if t in _MONTHS]
    rest = [t for t in tokens if t not in _MONTHS and t != "m"]
    if len(named) == 1 and len(rest) == 1:
        year = _year(rest[0], short=True)
        return f"{year}-{_MONTHS[named[0]]:02d}" if year else None
    numbers = [t for t in tokens if t != "m"]
    if len(numbers) != 2 or len(named) > 0 or not all(t.isdigit() for t in numbers):
        return None
    for year_token, month_token in ((numbers[0], numbers[1]), (numbers[1], numbers[0])):
        year = _year(year_token, short=False)
        if year and len(month_token) <= 2 and 1 <= int(month_token) <= 12:
            return f"{year}-{int(month_token):02d}"
    return None


def _quarter_period(tokens: list[str]) -> str | None:
    """A year, a quarter word (T, Q, trim, trimestre, quarter) and an ordinal (1, I, primer, first)."""
    if not any(t in _QUARTER_WORDS for t in tokens):
        return None
    rest = [t for t in tokens if t not in _QUARTER_WORDS]
    years = [t for t in rest if _year(t, short=False)]
    if len(years) != 1 or len(rest) != 2:
        shorts = [t for t in rest if len(t) == 2 and t.isdigit()]
        if len(rest) == 2 and len(shorts) == 1 and rest.index(shorts[0]) == 1:
            years = shorts  # "T1 24"
        else:
            return None
    ordinal = next(t for t in rest if t != years[0])
    year = _year(years[0], short=True)
    return f"{year}-Q{_ORDINALS[ordinal]}" if ordinal in _ORDINALS and year else None


def parse_period_label(label: str) -> str | None:
    """The SDMX period a national label names, or None.

    Years ("2024", "Año 2024"), months ("Ene-2024", "enero de 2024", "2024-01", "01/2024", "2024M01",
    "jan-24") and quarters ("2024T1", "2024-Q1", "T1 2024", "I trim 2024", "Primer trimestre 2024").
    Full dates are not periods here: see ``match_periods``.
    """
    text = strip_accents(_FOOTNOTE_MARK.sub("", label.strip())).casefold()
    tokens = [t for t in _TOKENS.findall(text) if t not in _FILLER]
    if not tokens or len(tokens) > 4 or len(text) > 40:
        return None
    tokens = [t for t in tokens if t not in _YEAR_WORDS] if len(tokens) == 2 else tokens
    if len(tokens) == 1:
        year = _year(tokens[0], short=False)
        return str(year) if year else None
    return _quarter_period(tokens) or _month_period(tokens)


_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?|(\d{1,2})/(\d{1,2})/(\d{4})")


def _date_parts(label: str) -> tuple[int, int, int] | None:
    match = _DATE.fullmatch(label.strip())
    if match is None:
        return None
    if match[1]:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:  # day first, as Spanish-speaking countries write dates
        day, month, year = int(match[4]), int(match[5]), int(match[6])
    return (year, month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def match_periods(labels: Iterable[str]) -> dict[str, str]:
    """Label -> SDMX period for the labels of one column; unreadable labels are left out.

    Dates stand for periods only when the column says which: all on the first of a month (monthly), or all
    on 1 January of different years (annual).
    """
    distinct = {label for label in labels if label.strip()}
    periods = {label: period for label in distinct if (period := parse_period_label(label))}
    dates = {label: parts for label in distinct - periods.keys() if (parts := _date_parts(label))}
    if dates and all(day == 1 for _, _, day in dates.values()):
        years = [year for year, _, _ in dates.values()]
        annual = all(month == 1 for _, month, _ in dates.values()) and len(set(years)) == len(years) > 1
        for label, (year, month, _) in dates.items():
            periods[label] = str(year) if annual else f"{year}-{month:02d}"
    return periods


def combine_period(year: str, part: str) -> str | None:
    """The period of a year and a month or quarter given in two columns ("2024", "Enero" -> 2024-01)."""
    return parse_period_label(f"{part} {year}")
