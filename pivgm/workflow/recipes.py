"""The recipe a submission names: a shipped recipe by name, the provider's saved one (``saved``), or the
recipe's own YAML (or JSON) text. The JSON API takes any of the three in its ``recipe`` field."""

from __future__ import annotations

import re

from pivgm.ingest.recipes import Recipe, parse_recipe
from pivgm.ingest.recipes.document import RecipeError
from pivgm.ingest.recipes.named import shipped_recipe
from pivgm.platform import Platform

SAVED = "saved"
_NAME = re.compile(r"[a-z0-9_]{1,80}")


def requested_recipe(platform: Platform, text: str, provider_id: str, dataflow_id: str) -> Recipe:
    """The recipe ``text`` names or is; ``RecipeError`` (Spanish and English) if it is not usable."""
    given = text.strip()
    if given == SAVED:
        saved = platform.submissions.latest_mapping(provider_id, dataflow_id)
        if saved is None or "recipe" not in saved.spec:
            raise RecipeError("no-saved-recipe", recipe=SAVED, line=None, provider=provider_id, dataflow=dataflow_id)
        return Recipe(saved.spec, f"saved recipe {saved.version} of {provider_id} for {dataflow_id}")
    if _NAME.fullmatch(given):
        return shipped_recipe(given)
    return parse_recipe(text, "recipe")
