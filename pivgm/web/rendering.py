"""Rendering of HTML pages: templates, the page's language and its formatting helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from pivgm.ingest.report import Note, note_text
from pivgm.web.account_menu import account_menu
from pivgm.web.assets import asset_url
from pivgm.web.dependencies import get_platform
from pivgm.web.formats import TIME_LOCALES, date_label, number_label, period_label
from pivgm.web.i18n import LANGUAGES, d3_format_locale, format_number, request_language, request_locale, translate

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
TEMPLATES.env.globals["asset"] = asset_url  # fingerprinted static addresses (see assets.py)


def url(path: str, params: Sequence[tuple[str, str]] = (), **extra: str) -> str:
    """``path`` with a query string built from ``params`` and ``extra`` (in that order)."""
    items = [*params, *extra.items()]
    return f"{path}?{urlencode(items, safe=',*:')}" if items else path


def switch_language_url(request: Request, language: str) -> str:
    """This very page in another language: every parameter kept, ``lang`` replaced."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return url(request.url.path, params, lang=language)


def standard_name(request: Request, language: str, kind: str, identifier: str) -> str:
    """The name of a dataflow or provider (``kind``) in the page's language; its id if it is unknown."""
    standard = get_platform(request).standard
    found = (standard.dataflows if kind == "dataflow" else standard.providers).get(identifier)
    return found.name.get(language) or identifier if found is not None else identifier


def render_fragment(template: str, language: str, **context: object) -> str:
    """A part of a page that depends on its language alone, not on the request (no account menu, address or
    number locale), so that it can be rendered once and kept (country profiles: web/profile_store.py)."""
    return TEMPLATES.env.get_template(template).render(
        lang=language,
        t=lambda key: translate(key, language),
        number=lambda value, decimals=None: (
            number_label(value, language) if decimals is None else format_number(value, language, decimals)
        ),
        period=lambda value: period_label(str(value), language) if value else "",
        day=lambda value: date_label(value, language) if isinstance(value, date | datetime) else "",
        url=url,
        note=lambda value: note_text(value, language),
        note_lang=lambda value: language if isinstance(value, Note) else "en",
        **context,
    )


def render(request: Request, template: str, json_twin: str, status_code: int = 200, **context: object) -> HTMLResponse:
    """Render ``template`` in the request's language; the response links its JSON twin."""
    language = request_language(request)
    locale = request_locale(request, language)
    other = next(lang for lang in LANGUAGES if lang != language)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "lang": language,
            "other_lang": other,
            "other_lang_url": switch_language_url(request, other),
            "json_twin": json_twin,
            "t": lambda key: translate(key, language),
            "number": lambda value, decimals=None: (
                number_label(value, locale) if decimals is None else format_number(value, locale, decimals)
            ),
            "period": lambda value: period_label(str(value), language) if value else "",
            "day": lambda value: date_label(value, language) if isinstance(value, date | datetime) else "",
            "format_locale": d3_format_locale(locale),
            "time_locale": TIME_LOCALES[language],
            "url": url,
            "note": lambda value: note_text(value, language),
            "note_lang": lambda value: language if isinstance(value, Note) else "en",
            "account": account_menu(request),
            "name_of": lambda kind, identifier: standard_name(request, language, kind, identifier),
            **context,
        },
        status_code=status_code,
    )
    response.headers["Link"] = f'<{json_twin}>; rel="alternate"; type="application/json"'
    response.headers["Content-Language"] = language
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", language, max_age=365 * 86400, samesite="lax", httponly=True)
    if request.query_params.get("locale") == locale:
        response.set_cookie("locale", locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
