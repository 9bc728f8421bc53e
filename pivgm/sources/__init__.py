"""Importers of real public sources: one module per source, found by the registry below.

Adding a source is adding a module that defines one ``SourceImporter`` subclass; the module name is the
source id (``pivgm load-sources --only undesa_stock``).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from pivgm.errors import NotFoundError
from pivgm.sources.base import VENDORED_DIR, SourceImporter

__all__ = ["VENDORED_DIR", "SourceImporter", "all_importers", "get_importer"]

_NOT_SOURCES = {"base"}


@cache
def all_importers() -> dict[str, SourceImporter]:
    """Every importer, keyed by source id (its module name), in a stable order."""
    found: dict[str, SourceImporter] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name in _NOT_SOURCES or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        classes = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, SourceImporter)
            and value is not SourceImporter
            and value.__module__ == module.__name__
        ]
        if len(classes) != 1:
            raise TypeError(f"source module {module.__name__} must define exactly one SourceImporter")
        importer_class = classes[0]
        importer_class.id = module_info.name
        found[module_info.name] = importer_class()
    return found


def get_importer(source_id: str) -> SourceImporter:
    try:
        return all_importers()[source_id]
    except KeyError:
        known = ", ".join(all_importers())
        raise NotFoundError(f"Unknown source {source_id!r}. Known sources: {known}.", source=source_id) from None
