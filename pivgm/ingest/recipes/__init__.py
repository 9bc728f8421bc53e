"""Mapping recipes: what a provider's file needs to be read onto a dataflow, written as data (YAML).

A recipe is versioned per provider and dataflow like a saved mapping (a mapping is a recipe without the
reading and reshaping parts). Python API, used by the CLI, the submission workflow and the web editor::

    recipe = parse_recipe(text, "recipe.yaml")            # or load_recipe(path); RecipeError with the line
    raw = read_with_recipe(path, recipe, file_name="x.xlsx")
    applied = map_table(raw, recipe, dataflow)            # applied.mapped (to validate), .mapping, .notes

``map_table`` is ``prepare`` (table steps + mapping), automatic label matching under the recipe's value
maps, ``apply_mapping`` and ``filter_codes`` (filters on mapped codes), in that order.

The format is ``recipe.schema.json``; docs/submissions.md documents every entry with worked examples.
"""

from pivgm.ingest.recipes.apply import Applied, Prepared, describe, filter_codes, map_table, prepare, read_with_recipe
from pivgm.ingest.recipes.document import FORMAT_VERSION, RecipeDocument, RecipeError, schema
from pivgm.ingest.recipes.document import load_document as load_recipe
from pivgm.ingest.recipes.document import parse_document as parse_recipe

Recipe = RecipeDocument

__all__ = [
    "FORMAT_VERSION",
    "Applied",
    "Prepared",
    "Recipe",
    "RecipeError",
    "describe",
    "filter_codes",
    "load_recipe",
    "map_table",
    "parse_recipe",
    "prepare",
    "read_with_recipe",
    "schema",
]
