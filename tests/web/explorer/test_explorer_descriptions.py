"""A chart's accessible description is a sentence in the page's language (what is shown, its extremes, its
trend), and its axes and legends are described in that language too, not by Vega's English defaults.

Seen red: with ``describe`` returning the title alone the sentences are missing; without ``localise_aria``
the axes carry no description (Vega then writes "X-axis titled ..." in English).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pivgm.structures import load_standard
from tests.web.explorer.explorer_helpers import spec_of

VENEZUELANS = {"CITIZENSHIP": "VEN", "from": "2023-01", "to": "2023-12"}


def axes(spec: dict[str, Any]) -> list[str]:
    found = []
    for layer in [spec, *spec.get("layer", [])]:
        for channel in layer.get("encoding", {}).values():
            if isinstance(channel, dict) and isinstance(channel.get("axis"), dict):
                found.append(channel["axis"].get("description", ""))
    return found


def test_a_line_chart_is_described_in_spanish_with_its_extremes_and_trend(get_page):
    spec = spec_of(get_page("/explore/DF_IRREGULAR_TRANSIT", **VENEZUELANS))
    text = spec["description"]
    assert text.startswith("Tránsito y entradas irregulares de personas migrantes: 1 serie(s) de ene. 2023 a dic. 2023")
    assert "Máximo:" in text and "mínimo:" in text
    assert " sube de " in text or " baja de " in text or " se mantiene" in text
    assert "Eje vertical: Personas" in axes(spec) and "Eje horizontal" in axes(spec)


def test_a_ranking_is_described_in_english_from_first_to_last(get_page):
    spec = spec_of(get_page("/explore/DF_MIG_STOCK", view="ranked", lang="en"))
    assert spec["description"].startswith(
        "International migrant stock by destination, origin and sex: 5 figures, from Mexico ("
    )
    assert any(a.startswith("Horizontal axis") for a in axes(spec))


@pytest.mark.parametrize(
    ("dataflow_id", "repeated"),
    [
        ("DF_IND_TRANSIT_YOY", {"es": "(DF_IRREGULAR_TRANSIT)", "en": "(DF_IRREGULAR_TRANSIT)"}),
        ("DF_IND_REMITTANCES_PER_CAPITA", {"es": "CC BY 4.0 (Banco Mundial)", "en": "CC BY 4.0 (World Bank)"}),
    ],
)
def test_an_indicator_names_each_source_and_licence_once(get_page, dataflow_id, repeated: dict[str, str]):
    """Two inputs of one dataflow, or two under one licence, named it twice ("CC BY 4.0 (World Bank); …;
    CC BY 4.0 (World Bank)")."""
    for language, name in repeated.items():
        metadata = load_standard().dataflows[dataflow_id].metadata
        assert name in metadata.source.get(language) + metadata.licence.get(language)
        page = get_page(f"/explore/{dataflow_id}", lang=language)
        texts = re.findall(r">([^<{]*" + re.escape(name) + r"[^<{]*)<", page)  # not the chart's JSON
        assert texts and all(text.count(name) == 1 for text in texts), texts


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_single_series_is_named_by_what_it_holds_not_by_the_dataflow(get_page, language):
    """DF_IND_TRANSIT_MOM opens on one country: its one series read "Highest: Month-on-month change in
    irregular transits, 976.9%" without the country, as the legend did."""
    name = load_standard().dataflows["DF_IND_TRANSIT_MOM"].name.get(language)
    spec = spec_of(get_page("/explore/DF_IND_TRANSIT_MOM", lang=language))
    rows = [r for r in spec["data"]["values"] if "series" in r] if "data" in spec else []
    assert rows and {r["series"] for r in rows} != {name}
    assert not re.search(r"(Highest|Máximo|máximo)[^:]*: " + re.escape(name), spec["description"]), spec["description"]
