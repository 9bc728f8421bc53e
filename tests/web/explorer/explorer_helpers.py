"""Reading explorer pages in tests: the chart spec a page embeds, and the API's observations."""

from __future__ import annotations

import json
import re
from typing import Any


def spec_of(html: str, chart: str = "view") -> dict[str, Any]:
    """The Vega-Lite specification a page embeds for ``chart``."""
    match = re.search(rf'<script type="application/json" id="spec-{chart}">(.*?)</script>', html, re.S)
    assert match, f"no chart {chart!r} in the page"
    return json.loads(match.group(1))


def chart_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["data"]["values"]


def api_observations(client: Any, dataflow_id: str, params: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(f"/api/data/{dataflow_id}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["observations"]
