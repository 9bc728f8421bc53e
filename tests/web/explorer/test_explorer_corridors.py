"""The corridors view (origin → destination) draws its largest corridors and adds up the rest as "Others",
on the map and in the table under it, as rankings and stacks do: the map with its table adds up to the
selection's observations. Over HTTP on a live server."""

from __future__ import annotations

import re
from html import unescape

import pytest

from pivgm.catalog.views import MAX_CORRIDORS
from tests.web.explorer.explorer_helpers import spec_of

FLOW = "DF_ASYLUM_APPLICATIONS"  # asylum applications in Mexico by origin: about a hundred corridors


def api_total(live, link: str) -> float:  # type: ignore[no-untyped-def]
    """The sum of the observations of the data API query a page links (every page of it)."""
    total, address = 0.0, link
    while address:
        answer = live.get(address).json()
        total += sum(o["OBS_VALUE"] or 0 for o in answer["observations"])
        address = answer["next"]
    return total


def table_rows(page: str) -> list[list[str]]:
    table = page.split('id="alternative-table"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row] for row in cells]


def number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.parametrize(("language", "others"), [("es", "Otros"), ("en", "Others")])
def test_corridors_draw_the_largest_and_add_up_the_rest_as_others(live, language, others):
    """Seen red without the "Others" of the map (the map drew 25 lines and said nothing of the rest) and with
    the table's top longer than the map's."""
    page = live.get(f"/explore/{FLOW}", params={"view": "flows", "lang": language})
    assert page.status_code == 200
    spec = spec_of(page.text)
    lines = spec["layer"][1]["data"]["values"]
    notes = [r["text"] for r in spec["layer"][-1]["data"]["values"]]
    assert len(lines) == MAX_CORRIDORS and notes[-1].startswith(f"{others} (")  # every top corridor is placed
    rows = table_rows(page.text)[1:]
    assert len(rows) == MAX_CORRIDORS + 1 and rows[-1][0] == others  # the table is the map's
    assert [f"{r[0]} → {r[1]}" for r in rows[:-1]] == [line["label"] for line in lines]
    others_value = number(rows[-1][-1])
    assert notes[-1].endswith(f": {rows[-1][-1]}")
    link = page.headers["link"].split(">")[0].lstrip("<")
    assert sum(line["value"] for line in lines) + others_value == pytest.approx(api_total(live, link))


def test_the_corridors_map_is_fitted_to_the_corridors_not_to_the_world(live):
    """Asylum applications in Mexico come mostly from the Americas, a few from Africa and Asia: the map is
    fitted to both ends of the largest corridors, which carry 95 % of what it draws (the Americas), and
    nothing is drawn outside its frame (seen red with the projection's ``fit`` removed: the world extent)."""
    spec = spec_of(live.get(f"/explore/{FLOW}", params={"view": "flows", "lang": "en"}).text)
    corners = spec["projection"]["fit"]["geometry"]["coordinates"]
    longitudes, latitudes = [c[0] for c in corners], [c[1] for c in corners]
    assert min(longitudes) > -170 and max(longitudes) < -30 and min(latitudes) > -60 and max(latitudes) < 75
    lines = sorted(spec["layer"][1]["data"]["values"], key=lambda line: -line["value"])
    largest = [tuple(end) for line in lines[:3] for end in line["geometry"]["coordinates"]]
    west, east = min(longitudes), max(longitudes)
    assert all(west <= longitude <= east for longitude, _ in largest)  # Honduras, Haiti, Cuba and Mexico
    assert all(layer["mark"].get("clip") for layer in spec["layer"][:3])  # lines run out of the frame, cut
