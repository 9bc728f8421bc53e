"""Languages of the interface: message lookup and number formatting by locale."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.numbers import NumberPattern, format_compact_decimal, get_currency_symbol, parse_pattern
from fastapi import Request

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"
# Number locales (CLDR): Mexico and Central America write 12,452 and 1,234.5 (es-419); Spain 12.452 and 1.234,5.
DEFAULT_LOCALES = {"es": "es-419", "en": "en-US"}
LOCALES = ("es-419", "es-MX", "es-ES", "en-US")
MISSING = "–"
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


def request_locale(request: Request, language: str) -> str:
    """The number locale of a page: ``?locale=es-ES`` (one of :data:`LOCALES` in the page's language), then
    the cookie it sets, else the language's default (es-419 for Spanish, en-US for English)."""
    for asked in (request.query_params.get("locale"), request.cookies.get("locale")):
        if asked in LOCALES and asked.split("-")[0] == language:
            return asked
    return number_locale(language)


def number_locale(language_or_locale: str) -> str:
    """``es`` -> ``es-419``, ``en`` -> ``en-US``; a locale of :data:`LOCALES` is kept as it is."""
    if language_or_locale in LOCALES:
        return language_or_locale
    return DEFAULT_LOCALES.get(language_or_locale, DEFAULT_LOCALES[DEFAULT_LANGUAGE])


@cache
def _locale(language_or_locale: str) -> Locale:
    return Locale.parse(number_locale(language_or_locale), sep="-")


@cache
def _parsed(pattern: str, decimals: int) -> NumberPattern:
    """A CLDR pattern with ``decimals`` places, parsed once (parsing was most of a number's formatting time)."""
    parsed = parse_pattern(pattern)
    parsed.frac_prec = (decimals, decimals)
    return parsed


def _apply(pattern: str, value: float, locale: Locale, decimals: int, **extra: object) -> str:
    parsed = _parsed(pattern, decimals)
    number = float(value)
    if round(number * 10**parsed.scale, decimals) == 0:
        number = 0.0  # no "-0.0"
    return parsed.apply(number, locale, **extra)  # type: ignore[arg-type]


def format_count(value: float | int | None, locale: str) -> str:
    """A count of people or events: 12452 -> ``12,452`` (es-419, en-US) or ``12.452`` (es-ES)."""
    return format_number(value, locale, 0)


def format_number(value: float | int | None, locale: str, decimals: int = 0) -> str:
    """A rate or any decimal figure with ``decimals`` places: 1234.5 -> ``1,234.5`` (es-419, en-US) or
    ``1.234,5`` (es-ES). ``locale`` is a language (``es``, ``en``) or a locale of :data:`LOCALES`."""
    if value is None:
        return MISSING
    cldr = _locale(locale)
    return _apply(cldr.decimal_formats[None].pattern, value, cldr, decimals)


def format_money(value: float | int | None, locale: str, currency: str = "USD", decimals: int = 2) -> str:
    """An amount of money: 1234.5 USD -> ``USD1,234.50`` (es-419), ``1.234,50 US$`` (es-ES), ``$1,234.50``."""
    if value is None:
        return MISSING
    cldr = _locale(locale)
    pattern = cldr.currency_formats["standard"].pattern
    return _apply(pattern, value, cldr, decimals, currency=currency, currency_digits=False)


def format_percent(value: float | int | None, locale: str, decimals: int = 1) -> str:
    """A percentage given in percent (12.5 means 12.5 %): ``12.5%`` (es-419, en-US) or ``12,5 %`` (es-ES)."""
    if value is None:
        return MISSING
    cldr = _locale(locale)
    return _apply(cldr.percent_formats[None].pattern, float(value) / 100, cldr, decimals)


def format_compact(value: float | int | None, locale: str, decimals: int = 1) -> str:
    """A large figure in words: 1234567 -> ``1.2 millones`` (es-419), ``1,2 millones`` (es-ES), ``1.2 million``."""
    if value is None:
        return MISSING
    return format_compact_decimal(value, format_type="long", locale=_locale(locale), fraction_digits=decimals)


def compact_unit(largest: float, locale: str) -> tuple[float, str]:
    """The one unit every label of an axis reaching ``largest`` is written in: ``(1e6, " M")`` in es-419,
    ``(1e6, "M")`` in en-US, ``(1, "")`` below a million (the figures then appear in full)."""
    cldr = _locale(locale)
    for divisor in (1e12, 1e9, 1e6):
        if abs(largest) < divisor:
            continue
        shown = format_compact_decimal(divisor, locale=cldr)  # "1 M"; "1000 M" when not a unit of the locale
        match = re.fullmatch(r"(\D*)1(\D*)", shown)
        if match:
            return divisor, match.group(1) + match.group(2)
    return 1.0, ""


def d3_format_locale(locale: str) -> dict[str, Any]:
    """The d3-format locale vega-embed draws chart numbers with, from the same CLDR data as the pages."""
    cldr = _locale(locale)
    symbols = cldr.number_symbols["latn"]
    symbol = get_currency_symbol("USD", cldr)
    prefix = cldr.currency_formats["standard"].pattern.startswith("\u00a4")
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": [symbol, ""] if prefix else ["", "\u00a0" + symbol],
        "percent": cldr.percent_formats[None].pattern.replace("#,##0", "").replace("\u00a4", "") or "%",
    }
