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
from typing import TYPE_CHECKING, Any

import yaml

from pivgm.errors import InvalidParameterError
from pivgm.ingest.recipes.messages import Both, error_texts

if TYPE_CHECKING:
    import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parent / "recipe.schema.json"
FORMAT_VERSION = 1

Path_ = tuple[str, ...]
_LINE = {"es": "línea", "en": "line"}


class RecipeError(InvalidParameterError):
    """A recipe that cannot be used as written: ``problem`` names the template in ``messages.ERRORS`` (filled
    with ``fields``), ``line`` is the line in the recipe file (1-based). ``message`` is the English text;
    ``details["messages"]`` has both languages (they survive the trip from the upload's child process)."""

    code = "invalid-recipe"

    def __init__(self, problem: str, *, recipe: str, line: int | None, **fields: Any) -> None:
        texts = error_texts(problem, fields)
        where = {language: f"{recipe}, {word} {line}" if line else recipe for language, word in _LINE.items()}
        messages = {language: f"{where[language]}: {text}" for language, text in texts.items()}
        super().__init__(messages["en"], recipe=recipe, line=line, problem=problem, messages=messages)

    def text(self, language: str) -> str:
        """The message in ``language`` (es or en)."""
        messages: dict[str, str] = self.details.get("messages", {})
        return messages.get(language, self.message)


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


def path_text(path: Sequence[str | int]) -> str | Both:
    """``("filters", 0, "column")`` -> ``filters[0].column``; the recipe itself for ``()``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) or str(part).isdigit() else (f".{part}" if text else str(part))
    return text or Both(es="la receta", en="the recipe")


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

    def error(self, problem: str, *path: str | int, **fields: Any) -> RecipeError:
        """A ``RecipeError`` of kind ``problem`` (see ``messages.ERRORS``) located at ``path``."""
        return RecipeError(problem, recipe=self.name, line=self.line(*path), **fields)


_KINDS = {  # JSON Schema type -> what to write
    "string": Both(es="texto", en="text"),
    "integer": Both(es="un número entero", en="a whole number"),
    "number": Both(es="un número", en="a number"),
    "boolean": Both(es="true o false", en="true or false"),
    "array": Both(es="una lista", en="a list"),
    "object": Both(es="un grupo de entradas «clave: valor»", en="a set of 'key: value' entries"),
}


def _plain(error: jsonschema.ValidationError) -> tuple[str, dict[str, Any]] | None:
    """The problem and fields of a schema error that one value explains (type, range, form...)."""
    rule, limit, value = error.validator, error.validator_value, error.instance
    if rule == "required":
        return "required", {"name": next((name for name in limit if name not in value), "?")}
    if rule == "type" and isinstance(limit, str):
        return "wrong-type", {"kind": _KINDS.get(limit, limit), "value": value}
    if rule in ("enum", "const"):
        allowed = ", ".join(map(repr, limit if rule == "enum" else [limit]))
        return "not-allowed-value", {"value": value, "allowed": allowed}
    if rule in ("minimum", "maximum"):
        return ("too-small" if rule == "minimum" else "too-large"), {"limit": limit, "value": value}
    if rule in ("minItems", "minLength") and limit == 1:
        return "empty", {}
    if rule == "pattern":
        return "wrong-form", {"value": value, "pattern": limit}
    return None


def _schema_error(document: RecipeDocument, error: jsonschema.ValidationError) -> RecipeError:
    path = list(error.absolute_path)
    where = path_text(path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        extra = sorted(str(key) for key in error.instance if key not in known)
        if extra:
            allowed = ", ".join(sorted(known))
            return document.error("unknown-key", *path, extra[0], key=extra[0], path=where, allowed=allowed)
    if error.validator in ("oneOf", "anyOf"):
        required = [s.get("required", []) for s in error.schema.get(error.validator, []) if "required" in s]
        if required:
            names = [repr(r[0]) for r in required if r]
            choices = Both(es=" o ".join(names), en=" or ".join(names))
            return document.error("one-of", *path, path=where, choices=choices)
    if error.validator == "format" and error.validator_value == "regex":
        compile_regex(document, str(error.instance), *path)  # raises "bad-regex" with the reason
    plain = _plain(error)
    if plain is not None:
        return document.error(plain[0], *path, path=where, **plain[1])
    return document.error("schema", *path, path=where, detail=error.message)


def parse_document(text: str, name: str = "recipe") -> RecipeDocument:
    """Read a recipe's YAML (JSON is YAML too) and check it against the schema; ``RecipeError`` if invalid."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(problem, "problem", None) or str(problem)
        raise RecipeError("not-yaml", recipe=name, line=line, reason=reason) from None
    if not isinstance(data, dict):
        raise RecipeError("not-entries", recipe=name, line=1)
    lines: dict[Path_, int] = {}
    if node is not None:
        _lines(node, (), lines)
    document = RecipeDocument(data, name, lines)
    if "recipe" not in data and set(data) <= {"columns", "values", "constants", "decimal"}:
        data = {"recipe": FORMAT_VERSION, **data}  # a saved mapping is a recipe without the version line
        document = RecipeDocument(data, name, lines)
    import jsonschema  # only where a recipe is read: some 60 ms of start-up spared elsewhere

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
            shown = f"{len(given)}: {', '.join(given)}" if given else Both(es="ninguna", en="none")
            raise document.error(
                "filter-conditions", "filters", index, index=index, conditions=", ".join(_CONDITIONS), given=shown
            )
        if ("known" in entry and "code" not in entry) or ("known" in entry.get("not", {}) and "code" not in entry):
            raise document.error("known-needs-code", "filters", index, index=index)
    for key in ("end",):
        pattern = document.data.get("read", {}).get(key)
        if pattern is not None:
            compile_regex(document, pattern, "read", key)


def compile_regex(document: RecipeDocument, pattern: str, *path: str | int) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as problem:
        raise document.error("bad-regex", *path, path=path_text(path), pattern=pattern, reason=problem) from None


def load_document(path: Path) -> RecipeDocument:
    """Read a recipe file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise RecipeError("unreadable", recipe=path.name, line=None, reason=problem) from None
    return parse_document(text, path.name)
