"""The recipes shipped with the platform (``library/``), by name: ``cbp_sbo_encounters`` is
``library/cbp_sbo_encounters.yaml``. Each is tested against the real file it was written for."""

from __future__ import annotations

from pathlib import Path

from pivgm.ingest.recipes.document import RecipeDocument, RecipeError, load_document

LIBRARY = Path(__file__).resolve().parent / "library"


def shipped_names() -> list[str]:
    """The names of the shipped recipes, sorted."""
    return sorted(path.stem for path in LIBRARY.glob("*.yaml"))


def shipped_recipe(name: str) -> RecipeDocument:
    """The shipped recipe ``name``; ``RecipeError`` (listing the names) if there is none."""
    if name not in shipped_names():
        raise RecipeError("unknown-recipe", recipe=name, line=None, names=", ".join(shipped_names()))
    return load_document(LIBRARY / f"{name}.yaml")
