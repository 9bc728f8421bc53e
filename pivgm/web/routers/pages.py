"""HTML pages. Each makes one service call; templates only format. Every page links its JSON twin."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from pivgm.catalog.service import HighlightView
from pivgm.web.charts import FORMAT_LOCALES, highlight_rows, highlight_spec
from pivgm.web.dependencies import CatalogDep
from pivgm.web.i18n import LANGUAGES, format_number, request_language, translate

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, json_twin: str, **context: object) -> HTMLResponse:
    language = request_language(request)
    other = next(lang for lang in LANGUAGES if lang != language)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "lang": language,
            "other_lang": other,
            "t": lambda key: translate(key, language),
            "number": lambda value, decimals=0: format_number(value, language, decimals),
            "format_locale": FORMAT_LOCALES[language],
            **context,
        },
    )
    response.headers["Link"] = f'<{json_twin}>; rel="alternate"; type="application/json"'
    response.headers["Content-Language"] = language
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@dataclass(frozen=True)
class Card:
    """One dataflow on the home page: its highlight drawn as a chart and as a table, and the latest figure."""

    view: HighlightView
    spec: dict[str, Any] | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    latest: tuple[str, float] | None = None


def card(view: HighlightView, language: str) -> Card:
    if view.data is None or not view.data.table.num_rows:
        return Card(view)
    rows = highlight_rows(view, language)
    spec = highlight_spec(view, language)
    if view.highlight is not None and view.highlight.series:
        return Card(view, spec, rows)  # several series: no single headline figure
    return Card(view, spec, rows, (rows[-1]["period"], rows[-1]["value"]))


@router.get("/", response_class=HTMLResponse)
def home(request: Request, catalog: CatalogDep) -> HTMLResponse:
    language = request_language(request)
    cards = [card(view, language) for view in catalog.highlights()]
    return render(request, "home.html", "/api/dataflows", cards=cards)
