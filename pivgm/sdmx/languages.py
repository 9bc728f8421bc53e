"""The language of texts an SDMX message gives in one language only (SDMX-JSON ``name`` and
``description``, beside ``names`` and ``descriptions`` in every language): the one ``Accept-Language``
prefers among those the standard holds, English when it names neither."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "es")
DEFAULT = "en"


def preferred_language(accept_language: str | None) -> str:
    """The best of :data:`LANGUAGES` for an ``Accept-Language`` value (``es-MX,es;q=0.9,en;q=0.5``)."""
    best, best_quality = DEFAULT, 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                continue
        if language in LANGUAGES and quality > best_quality:
            best, best_quality = language, quality - position * 1e-6  # ties: the first listed wins
    return best


def localize(tree: Any, language: str) -> Any:
    """``tree`` with every ``name`` (``description``) taken from its ``names`` (``descriptions``) in
    ``language``, where that language is there."""
    if isinstance(tree, list):
        return [localize(item, language) for item in tree]
    if not isinstance(tree, dict):
        return tree
    localized = {key: localize(value, language) for key, value in tree.items()}
    for single, every in (("name", "names"), ("description", "descriptions")):
        texts = localized.get(every)
        if single in localized and isinstance(texts, dict) and texts.get(language):
            localized[single] = texts[language]
    return localized


def content_languages(language: str) -> list[str]:
    """SDMX-JSON ``meta.contentLanguages``: the language of single-language texts first."""
    return [language, *(other for other in LANGUAGES if other != language)]
