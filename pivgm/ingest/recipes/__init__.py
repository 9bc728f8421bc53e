"""Mapping recipes: what a provider's file needs to be read onto a dataflow, written as data (YAML).

A recipe is versioned per provider and dataflow like a saved mapping (a mapping is a recipe without the
reading and reshaping parts). Python API, used by the CLI, the submission workflow and the web editor::

    recipe = parse_recipe(text, "recipe.yaml")            # or load_recipe(path); RecipeError with the line
    raw = read_with_recipe(path, recipe, file_name="x.xlsx")
    prepared = prepare(raw, recipe, dataflow)             # prepared.raw (table), prepared.mapping
    mapped, notes = filter_codes(apply_mapping(...), recipe, dataflow)

The format is ``recipe.schema.json``; docs/submissions.md documents every entry with worked examples.
"""

from pivgm.ingest.recipes.apply import Prepared, describe, filter_codes, prepare, read_with_recipe
from pivgm.ingest.recipes.document import FORMAT_VERSION, RecipeDocument, RecipeError, schema
from pivgm.ingest.recipes.document import load_document as load_recipe
from pivgm.ingest.recipes.document import parse_document as parse_recipe

Recipe = RecipeDocument

__all__ = [
    "FORMAT_VERSION",
    "Prepared",
    "Recipe",
    "RecipeError",
    "describe",
    "filter_codes",
    "load_recipe",
    "parse_recipe",
    "prepare",
    "read_with_recipe",
    "schema",
]
