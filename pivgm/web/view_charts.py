"""Which specification draws each view's shape (a registry; the cross-table is HTML, not a chart)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pivgm.catalog.views import AreaMap, Corridors, Pyramid, Ranking, SeriesChart
from pivgm.web.explorer_charts import pyramid_spec, ranking_spec, series_spec
from pivgm.web.labels import Labels
from pivgm.web.map_charts import area_map_spec, corridors_spec

Spec = dict[str, Any]
SPECS: dict[type, Callable[[Any, Labels, Spec, str], Spec]] = {
    SeriesChart: series_spec,
    Ranking: ranking_spec,
    Pyramid: pyramid_spec,
    AreaMap: area_map_spec,
    Corridors: corridors_spec,
}


def view_spec(shape: object, labels: Labels, title: Spec, view: str) -> Spec | None:
    """The chart of a view, or None for views drawn as HTML."""
    build = SPECS.get(type(shape))
    return build(shape, labels, title, view) if build else None
