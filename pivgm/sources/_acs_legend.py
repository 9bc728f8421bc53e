"""Reading ACS tables through each year's legend: indicator labels -> that year's variable codes.

The Census Bureau renumbers variables between years and, some years, flattens the label hierarchy so that a
label repeats. Labels, not positions, say what a column holds; ``us_census_acs_labels.yaml`` lists the
wordings of each indicator. A label that is missing or matches twice stops the import with the file named.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pivgm.errors import SourceFormatError

LABELS_FILE = Path(__file__).resolve().parent / "us_census_acs_labels.yaml"
ESTIMATE = "Estimate!!"


@dataclass(frozen=True)
class Label:
    """One wording of an indicator; with ``after``, the first variable so labelled after that anchor."""

    text: str
    after: str | None = None


@dataclass(frozen=True)
class IndicatorSpec:
    indicator: str
    sex: str
    labels: tuple[Label, ...]
    years: tuple[int, int] | None = None

    def covers(self, year: int) -> bool:
        return self.years is None or self.years[0] <= year <= self.years[1]


@dataclass(frozen=True)
class Spec:
    groups: Mapping[str, tuple[str, str]]  # POPGROUP label -> (COUNTRY_OF_BIRTH, NATIVITY)
    indicators: tuple[IndicatorSpec, ...]
    naturalised: Mapping[str, tuple[Label, ...]]  # numerator, denominator


def _labels(raw: Sequence[Any]) -> tuple[Label, ...]:
    return tuple(Label(item) if isinstance(item, str) else Label(item["label"], item["after"]) for item in raw)


@cache
def load_spec(path: Path = LABELS_FILE) -> Spec:
    """The groups and indicator wordings the importer looks for."""
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    return Spec(
        groups={str(label): (codes[0], codes[1]) for label, codes in raw["groups"].items()},
        indicators=tuple(
            IndicatorSpec(
                item["indicator"],
                item["sex"],
                _labels(item["labels"]),
                (item["years"][0], item["years"][1]) if "years" in item else None,
            )
            for item in raw["indicators"]
        ),
        naturalised={part: _labels(raw["naturalised"][part]) for part in ("numerator", "denominator")},
    )


def normalise(label: str, year: int) -> str:
    """``Estimate!!`` dropped and the survey year of inflation-adjusted dollars written ``{year}``."""
    text = label[len(ESTIMATE) :] if label.startswith(ESTIMATE) else label
    return text.replace(f"(IN {year} INFLATION-ADJUSTED DOLLARS)", "(IN {year} INFLATION-ADJUSTED DOLLARS)")


def _number(variable: str) -> int:
    digits = re.search(r"_(\d+)E$", variable)
    return int(digits.group(1)) if digits else -1


@dataclass(frozen=True)
class Legend:
    """A year's estimate variables in variable order, each with its normalised label."""

    file: str
    year: int
    variables: tuple[tuple[str, str], ...]  # (variable code, label)
    by_label: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # label -> codes in variable order

    def find(self, label: Label) -> str | None:
        """The variable ``label`` designates, None if absent; raises if a plain label is ambiguous."""
        if label.after is None:
            found = self.by_label.get(label.text, ())
            if len(found) > 1:
                raise SourceFormatError(
                    f"the label {label.text!r} names {len(found)} variables ({', '.join(found)}) in {self.year}.",
                    file=self.file,
                    hint="Give it with 'after' (the label of the variable it follows) in us_census_acs_labels.yaml.",
                )
            return found[0] if found else None
        anchor = self.find(Label(label.after))
        if anchor is None:
            return None
        start = _number(anchor)
        following = [code for code in self.by_label.get(label.text, ()) if _number(code) > start]
        return following[0] if following else None

    def resolve(self, labels: Sequence[Label], what: str) -> str:
        """The one variable that one of ``labels`` designates; raises naming ``what`` otherwise."""
        found = {code for code in (self.find(label) for label in labels) if code is not None}
        if len(found) != 1:
            wordings = "; ".join(repr(label.text) for label in labels)
            problem = "none of its labels is" if not found else f"its labels name several variables ({found}) and"
            raise SourceFormatError(
                f"{what}: {problem} in the {self.year} legend. Labels looked for: {wordings}.",
                file=self.file,
                hint="Add the year's wording to pivgm/sources/us_census_acs_labels.yaml.",
            )
        return found.pop()


def read_legend(path: Path, year: int) -> Legend:
    """The estimate variables (``..._E``) of a legend file ``VARIABLE,TYPE,LABEL,GROUP``."""
    rows = read_rows(path)
    if rows and not {"VARIABLE", "LABEL"} <= set(rows[0]):
        raise SourceFormatError("a legend needs the columns VARIABLE and LABEL.", file=path.name, row=1)
    variables = sorted(
        ((row["VARIABLE"], normalise(row["LABEL"], year)) for row in rows if row["LABEL"].startswith(ESTIMATE)),
        key=lambda pair: _number(pair[0]),
    )
    unique = tuple(dict.fromkeys(variables))
    by_label: dict[str, tuple[str, ...]] = {}
    for code, label in unique:
        by_label[label] = (*by_label.get(label, ()), code)
    return Legend(path.name, year, unique, by_label)


def read_rows(path: Path) -> list[dict[str, str]]:
    """All rows of a gzip-compressed CSV file, as text; a clear error if it cannot be read."""
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise SourceFormatError("the file does not exist.", file=str(path)) from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise SourceFormatError(f"the file cannot be read ({error}).", file=path.name) from None
    if not rows:
        raise SourceFormatError("the file is empty.", file=path.name, hint="Export the table again with its data.")
    return rows
