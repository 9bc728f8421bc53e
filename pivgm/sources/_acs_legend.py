"""Reading ACS tables through each year's legend: indicator labels -> that year's variable codes.

The Census Bureau renumbers variables between years and, some years, flattens the label hierarchy so that a
label repeats. Labels, not positions, say what a column holds; ``us_census_acs_labels.yaml`` lists the
wordings of each indicator. A label that is missing or matches twice stops the import with the file named.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
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
    s0506_groups: Mapping[str, str]  # S0506 label group ("Foreign born; Born in Mexico") -> COUNTRY_OF_BIRTH
    s0506_indicators: tuple[IndicatorSpec, ...]


def _labels(raw: Sequence[Any]) -> tuple[Label, ...]:
    return tuple(Label(item) if isinstance(item, str) else Label(item["label"], item["after"]) for item in raw)


def _indicators(raw: Sequence[Mapping[str, Any]]) -> tuple[IndicatorSpec, ...]:
    return tuple(
        IndicatorSpec(
            item["indicator"],
            item["sex"],
            _labels(item["labels"]),
            (item["years"][0], item["years"][1]) if "years" in item else None,
        )
        for item in raw
    )


@cache
def load_spec(path: Path = LABELS_FILE) -> Spec:
    """The groups and indicator wordings the importer looks for."""
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    return Spec(
        groups={str(label): (codes[0], codes[1]) for label, codes in raw["groups"].items()},
        indicators=_indicators(raw["indicators"]),
        naturalised={part: _labels(raw["naturalised"][part]) for part in ("numerator", "denominator")},
        s0506_groups={str(label): str(code) for label, code in raw["s0506"]["groups"].items()},
        s0506_indicators=_indicators(raw["s0506"]["indicators"]),
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


def read_legend(path: Path, year: int, group: str = "", rows: list[dict[str, str]] | None = None) -> Legend:
    """The estimate variables (``..._E``) of a legend file ``VARIABLE,TYPE,LABEL,GROUP``; with ``group``,
    those labelled ``Estimate!!<group>!!...`` (S0506 puts the population group in the label), that part
    dropped. ``rows``: the legend's rows when already read."""
    rows = legend_rows(path) if rows is None else rows
    start = f"{ESTIMATE}{group}!!" if group else ESTIMATE
    variables = sorted(
        (
            (row["VARIABLE"], normalise(ESTIMATE + row["LABEL"][len(start) :], year))
            for row in rows
            if row["LABEL"].startswith(start)
        ),
        key=lambda pair: _number(pair[0]),
    )
    unique = tuple(dict.fromkeys(variables))
    by_label: dict[str, tuple[str, ...]] = {}
    for code, label in unique:
        by_label[label] = (*by_label.get(label, ()), code)
    return Legend(path.name, year, unique, by_label)


def legend_rows(path: Path) -> list[dict[str, str]]:
    """A legend's rows, checked for the columns a legend has."""
    rows = read_rows(path, {"VARIABLE", "LABEL"})
    if not {"VARIABLE", "LABEL"} <= set(rows[0]):
        raise SourceFormatError("a legend needs the columns VARIABLE and LABEL.", file=path.name, row=1)
    return rows


def read_rows(path: Path, columns: Collection[str] | None = None) -> list[dict[str, str]]:
    """The rows of a gzip-compressed CSV file, every cell as text, with only ``columns`` (those present) when
    given: ACS tables have thousands of columns and the importer needs a few; a clear error if it cannot be
    read."""
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            header = next(csv.reader(f), None)
        if not header:
            raise SourceFormatError("the file is empty.", file=path.name, hint="Export the table again with its data.")
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                include_columns=[c for c in header if columns is None or c in columns],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except FileNotFoundError:
        raise SourceFormatError("the file does not exist.", file=str(path)) from None
    except (OSError, UnicodeDecodeError, csv.Error, pa.ArrowInvalid) as error:
        raise SourceFormatError(f"the file cannot be read ({error}).", file=path.name) from None
    if not table.num_rows:
        raise SourceFormatError("the file is empty.", file=path.name, hint="Export the table again with its data.")
    return table.to_pylist()
