"""Languages of the interface: message lookup and number formatting by locale."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from fastapi import Request

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"
MESSAGES_FILE = Path(__file__).resolve().parent / "messages.yaml"


@cache
def messages() -> dict[str, dict[str, str]]:
    """Every ``messages*.yaml`` beside this module (one file per part of the interface), merged."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(MESSAGES_FILE.parent.glob("messages*.yaml")):
        with open(path, encoding="utf-8") as f:
            part: dict[str, dict[str, str]] = yaml.safe_load(f) or {}
        duplicated = set(merged) & set(part)
        if duplicated:
            raise ValueError(f"{path.name} repeats message keys: {', '.join(sorted(duplicated))}")
        merged.update(part)
    return merged


def translate(key: str, language: str) -> str:
    entry = messages()[key]
    return entry.get(language) or entry[DEFAULT_LANGUAGE]


def request_language(request: Request) -> str:
    """``?lang=`` wins, then the cookie the language switch sets, then the browser's preference."""
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else DEFAULT_LANGUAGE


def format_number(value: float | int | None, language: str, decimals: int = 0) -> str:
    """12000 -> ``12.000`` (es) or ``12,000`` (en)."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if language == "es":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text
