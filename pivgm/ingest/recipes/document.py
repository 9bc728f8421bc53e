"""A recipe as a document: YAML read with the line of every entry, checked by ``recipe.schema.json``.

Every problem names the recipe's line ("recipe.yaml, line 12: filters[0] names a column the file does not
have..."), so a statistician can fix the recipe without reading code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from pivgm.errors import InvalidParameterError

SCHEMA_PATH = Path(__file__).resolve().parent / "recipe.schema.json"
FORMAT_VERSION = 1

Path_ = tuple[str, ...]


class RecipeError(InvalidParameterError):
    """A recipe that cannot be used as written; ``line`` is its line in the recipe file (1-based)."""

    code = "invalid-recipe"

    def __init__(self, message: str, *, recipe: str, line: int | None, hint: str | None = None) -> None:
        where = f"{recipe}, line {line}" if line else recipe
        text = f"{where}: {message}" + (f" {hint}" if hint else "")
        super().__init__(text, recipe=recipe, line=line)


@cache
def schema() -> dict[str, Any]:
    """The recipe JSON Schema (draft 2020-12)."""
    document: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return document


def _lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            _lines(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, str(index)), lines)


def path_text(path: Sequence[str | int]) -> str:
    """``("filters", 0, "column")`` -> ``filters[0].column``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) or str(part).isdigit() else (f".{part}" if text else str(part))
    return text or "the recipe"


@dataclass(frozen=True)
class RecipeDocument:
    """The recipe's data and where each entry is in its file."""

    data: Mapping[str, Any]
    name: str = "recipe"
    lines: Mapping[Path_, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int | None:
        """The line of the entry at ``path`` (or of its nearest enclosing entry)."""
        key = tuple(str(part) for part in path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)

    def error(self, message: str, *path: str | int, hint: str | None = None) -> RecipeError:
        """A ``RecipeError`` located at ``path``."""
        return RecipeError(message, recipe=self.name, line=self.line(*path), hint=hint)


def _schema_error(document: RecipeDocument, error: jsonschema.ValidationError) -> RecipeError:
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        extra = sorted(str(key) for key in error.instance if key not in known)
        if extra:
            allowed = ", ".join(sorted(known))
            return document.error(
                f"unknown key {extra[0]!r} in {path_text(path)}.", *path, extra[0], hint=f"Allowed keys: {allowed}."
            )
    if error.validator in ("oneOf", "anyOf"):
        required = [s.get("required", []) for s in error.schema.get(error.validator, []) if "required" in s]
        if required:
            choices = " or ".join(repr(r[0]) for r in required if r)
            return document.error(f"{path_text(path)} must have exactly one of {choices}.", *path)
    if error.validator == "format" and error.validator_value == "regex":
        return document.error(f"{path_text(path)}: {error.instance!r} is not a valid regular expression.", *path)
    return document.error(f"{path_text(path)}: {error.message}.", *path)


def parse_document(text: str, name: str = "recipe") -> RecipeDocument:
    """Read a recipe's YAML (JSON is YAML too) and check it against the schema; ``RecipeError`` if invalid."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(problem, "problem", None) or str(problem)
        raise RecipeError(f"not valid YAML ({reason}).", recipe=name, line=line) from None
    if not isinstance(data, dict):
        raise RecipeError(
            "a recipe is a set of 'key: value' entries.", recipe=name, line=1, hint="Start it with 'recipe: 1'."
        )
    lines: dict[Path_, int] = {}
    if node is not None:
        _lines(node, (), lines)
    document = RecipeDocument(data, name, lines)
    if "recipe" not in data and set(data) <= {"columns", "values", "constants", "decimal"}:
        data = {"recipe": FORMAT_VERSION, **data}  # a saved mapping is a recipe without the version line
        document = RecipeDocument(data, name, lines)
    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: (document.line(*e.absolute_path) or 0, len(e.path)))
    if errors:
        raise _schema_error(document, errors[0])
    _check_conditions(document)
    return document


_CONDITIONS = ("equals", "in", "regex", "known", "not")


def _check_conditions(document: RecipeDocument) -> None:
    for index, entry in enumerate(document.data.get("filters", [])):
        given = [key for key in _CONDITIONS if key in entry]
        if len(given) != 1:
            raise document.error(
                f"filters[{index}] needs exactly one condition ({', '.join(_CONDITIONS)}); it has "
                f"{len(given) or 'none'}{': ' + ', '.join(given) if given else ''}.",
                "filters",
                index,
            )
        if ("known" in entry and "code" not in entry) or ("known" in entry.get("not", {}) and "code" not in entry):
            raise document.error(f"filters[{index}]: 'known' applies to mapped codes: use 'code:'.", "filters", index)
    for key in ("end",):
        pattern = document.data.get("read", {}).get(key)
        if pattern is not None:
            compile_regex(document, pattern, "read", key)


def compile_regex(document: RecipeDocument, pattern: str, *path: str | int) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as problem:
        message = f"{path_text(path)}: {pattern!r} is not a valid regular expression ({problem})."
        raise document.error(message, *path) from None


def load_document(path: Path) -> RecipeDocument:
    """Read a recipe file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise RecipeError(f"cannot be read ({problem}).", recipe=path.name, line=None) from None
    return parse_document(text, path.name)
