"""A recipe document: checked by its JSON Schema, every problem named with its line in the recipe."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from pivgm.ingest.recipes import RecipeError, parse_recipe, schema

EXAMPLES = Path(__file__).resolve().parents[3] / "pivgm" / "ingest" / "recipes" / "library"


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_recipe_is_valid(path):
    assert parse_recipe(path.read_text(encoding="utf-8"), path.name).data["recipe"] == 1


def test_a_saved_mapping_is_a_recipe():
    """The mapping JSON of earlier submissions reads as a recipe (format version added)."""
    mapping = {"columns": {"SEX": "Sexo"}, "values": {"SEX": {"Hombres": "M"}}, "constants": {"FREQ": "M"}}
    assert parse_recipe(json.dumps(mapping)).data == {"recipe": 1, **mapping}


# (recipe text, line named in the error, words the message must hold)
INVALID = [
    ("recipe: 1\ncolumns:\n  SEX: Sexo\nfilter:\n  - {column: X, equals: a}\n", 4, ["unknown key 'filter'"]),
    ("recipe: 1\nread:\n  header_rows: 2\n  skip: 3\n", 4, ["unknown key 'skip'", "read"]),
    ("recipe: 1\nfilters:\n  - column: A\n    equal: x\n", 4, ["unknown key 'equal'"]),
    ("recipe: 1\nread:\n  header_rows: 5\n", 3, ["header_rows", "at most 3"]),
    ("recipe: 2\n", 1, ["recipe"]),
    ("columns: {SEX: Sexo}\nperiod: {column: Mes}\n", 1, ["lacks the required entry 'recipe'"]),
    ("recipe: 1\nfilters:\n  - column: A\n    equals: x\n    in: [y]\n", 3, ["exactly one condition"]),
    ("recipe: 1\nfilters:\n  - column: A\n", 3, ["exactly one condition", "none"]),
    ("recipe: 1\nfilters:\n  - {equals: x}\n", 3, ["'column' or 'code'"]),
    ("recipe: 1\nfilters:\n  - {column: A, known: true}\n", 3, ["'known' applies to mapped codes"]),
    ("recipe: 1\nread:\n  end: '(unclosed'\n", 3, ["not a valid regular expression"]),
    ("recipe: 1\ncomputed:\n  - {into: x, sum: [a], difference: [a, b]}\n", 3, ["exactly one of"]),
    ("recipe: 1\nperiod: {column: A, format: julian}\n", 2, ["format"]),
    ("recipe: 1\ncolumns: [a, b]\n", 2, ["columns"]),
    ("recipe: 1\ncolumns:\n  SEX: Sexo\n  bad: : :\n", 4, ["not valid YAML"]),
    ("- just\n- a list\n", 1, ["'key: value'"]),
]


@pytest.mark.parametrize(("text", "line", "words"), INVALID)
def test_an_invalid_recipe_is_a_clear_error_naming_its_line(text, line, words):
    """Fails if the error lost the recipe line (``RecipeDocument.line``) or the key that is wrong, or has
    no Spanish text of its own."""
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text, "mine.yaml")
    assert caught.value.details["line"] == line, caught.value.message
    assert caught.value.message.startswith(f"mine.yaml, line {line}: ")
    for word in words:
        assert word in caught.value.message
    spanish = caught.value.text("es")
    assert spanish.startswith(f"mine.yaml, línea {line}: ")
    assert spanish != caught.value.text("en") == caught.value.message
    assert " the " not in spanish and " must " not in spanish, spanish


def test_every_feature_of_the_format_is_accepted_together():
    text = """
recipe: 1
title: every entry
dataflow: DF_MIG_STOCK
provider: UNDESA
read: {sheets: [Table 1, {pattern: '^Table \\d+$'}, 0], header_rows: 2, skip_rows: 8, end: '^Source'}
missing: ['n.d.', 's/d', x]
footnote_marks: ['1/', '*', '(p)']
hierarchy: {column: Area, into: area_path}
unpivot: {columns: {from: '1990', to: '2019', except: [Notes]}, into: [year, sex], value: persons}
computed:
  - {into: dead_missing, sum: [Dead, Missing]}
  - {into: net, difference: [In, Out]}
  - {into: persons_units, column: Thousands, multiply: 1000}
filters:
  - {column: Region, in: [Americas]}
  - {column: Country, not: {regex: '^(World|WORLD)$'}}
  - {code: REF_AREA, known: true}
  - {code: REF_AREA, not: {in: [WLD, LAC]}}
period: {columns: [Year, Month], format: fiscal_year, fiscal_year_start: 10}
columns: {REF_AREA: Country, OBS_VALUE: persons}
values: {SEX: {Hombres: M, Mujeres: F}}
constants: {FREQ: A, UNIT_MULT: 0}
decimal: ','
"""
    recipe = parse_recipe(text)
    assert yaml.safe_load(text) == dict(recipe.data)
    assert recipe.line("filters", 2) == 18  # the text starts with a blank line
