"""The route view: Venezuelans counted month by month in Darién, Honduras, Mexico and at the US southwest border,
checked against a hand computation from the raw vendored files (csv + gzip, statistics; no PIVGM code), over a
real server."""

from __future__ import annotations

import csv
import gzip
import html
import re
import statistics
from collections import defaultdict

import httpx
import pytest

from pivgm.catalog.search import normalise
from pivgm.sources.base import VENDORED_DIR
from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.live import serving
from tests.web.explorer.explorer_helpers import spec_of

SOURCES = ["panama_darien", "honduras_inm", "mexico_upm_irregular", "us_cbp_encounters"]
POINTS = ["PAN", "HND", "MEX", "USA_SWB"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory):
    platform = new_platform(tmp_path_factory.mktemp("routes"))
    loaded = run_pivgm(platform.settings, "load-sources", *(a for s in SOURCES for a in ("--only", s)))
    assert loaded.returncode == 0, loaded.stderr
    with serving(platform.settings) as url:
        yield url


def monthly(name: str, citizenship: str, since: str = "") -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["nat"] == citizenship and row["t"] >= since:
                sums[row["t"][:7]] += float(row["n"])
    return dict(sums)


def by_hand(citizenship: str) -> list[dict[str, float]]:
    return [
        monthly("irreg_darien_nat.csv.gz", citizenship, since="2020"),  # Panama's rows to 2019 are annual totals
        monthly("irreg_honduras_nat.csv.gz", citizenship),
        monthly("irreg_mexico_nat.csv.gz", citizenship),
        monthly("cbp_swb_encounters_by_nationality_fy2018-2025.csv.gz", citizenship),
    ]


def later(month: str, lag: int) -> str:
    year, index = int(month[:4]), int(month[5:]) - 1 + lag
    return f"{year + index // 12}-{index % 12 + 1:02d}"


def best_lag(source: dict[str, float], target: dict[str, float]) -> tuple[int, float, float]:
    """The lag (0-3 months, at least 6 months in common) with the highest correlation, it, and the share."""
    fits = []
    for lag in range(4):
        months = [m for m in sorted(source) if later(m, lag) in target]
        x, y = [source[m] for m in months], [target[later(m, lag)] for m in months]
        if len(months) >= 6:
            fits.append((statistics.correlation(x, y), -lag, 100 * sum(y) / sum(x)))
    correlation, lag, share = max(fits)
    return -lag, correlation, share


def test_the_counts_lags_and_shares_of_venezuelans_along_the_route_equal_a_hand_computation(base):
    """Seen red with the lag fixed at 0 (``range(MAX_LAG + 1)`` -> ``range(1)``) in the route view."""
    raw = by_hand("VEN")
    body = httpx.get(f"{base}/api/routes", params={"citizenship": "VEN"}).json()
    assert [p["id"] for p in body["points"]] == POINTS
    assert [p["units"] for p in body["points"]] == [["PS"], ["PS"], ["EVENTS"], ["EVENTS"]]
    months = {m["period"]: m for m in body["months"]}
    assert set(months) == set().union(*raw)
    for point, counts in zip(POINTS, raw, strict=True):
        assert {m: row[point] for m, row in months.items() if row[point] is not None} == counts
    assert [months["2023-03"][p] for p in POINTS] == [20816, 9112, 9116, 8320]
    lags = []
    for index, step in enumerate(body["steps"]):
        lag, correlation, share = best_lag(raw[index], raw[index + 1])
        assert (step["from"], step["to"], step["lag_months"]) == (POINTS[index], POINTS[index + 1], lag)
        assert step["correlation"] == pytest.approx(correlation)
        assert step["share_arriving_pct"] == pytest.approx(share)
        lags.append(lag)
    assert lags == [0, 1, 0]  # Honduras to Mexico aligns best a month later


def test_the_page_says_in_plain_words_that_persons_and_events_differ_in_both_languages(base):
    spanish = httpx.get(f"{base}/routes", params={"citizenship": "VEN", "lang": "es"})
    assert spanish.status_code == 200
    assert "cuentan eventos" in spanish.text and "Proporción que «llega»" in spanish.text
    assert "20,816" in spanish.text  # es-419 thousands
    assert spanish.headers["link"].startswith("</api/routes?route=DARIEN_NORTH&citizenship=VEN>")
    english = httpx.get(f"{base}/routes", params={"citizenship": "HTI", "lang": "en"}).text
    assert "count events" in english and "Haiti" in english


def test_an_unknown_route_or_citizenship_is_a_clear_404_not_a_500(base):
    route = httpx.get(f"{base}/api/routes", params={"route": "NOPE"})
    assert route.status_code == 404 and "DARIEN_NORTH" in route.json()["error"]["message"]
    area = httpx.get(f"{base}/routes", params={"citizenship": "XYZ"})
    assert area.status_code == 404


@pytest.mark.parametrize(
    ("language", "persons", "events"), [("es", "personas", "eventos"), ("en", "persons", "events")]
)
def test_the_route_map_draws_each_point_at_its_crossing_sized_by_its_count_in_the_year(base, language, persons, events):
    """The map's circles are the points' yearly sums of the raw files, from Darién northwards, joined in
    order; it opens on the latest year every point reports in full; a sentence (the figure's caption and the
    chart's name) and the "year by year" table say the same in the page's language (seen red with the
    sums taken over every month instead of the year's)."""
    page = httpx.get(f"{base}/routes", params={"citizenship": "VEN", "lang": language})
    assert page.status_code == 200
    spec = spec_of(page.text, "route-map")
    slider = spec["usermeta"]["slider"]
    year = slider["slots"][slider["value"]]
    assert (
        year == "2024"
        and slider["slots"][0] == "2018"
        and spec["params"] == [{"name": "slot", "value": slider["value"]}]
    )
    circles = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")
    shown = [r for r in circles["data"]["values"] if r["slot"] == slider["value"]]
    expected = [sum(v for m, v in counts.items() if m.startswith(year)) for counts in by_hand("VEN")]
    assert [r["value"] for r in shown] == expected
    assert [r["unit"].lower() for r in shown] == [persons, persons, events, events]
    latitudes = [r["latitude"] for r in shown]
    assert latitudes == sorted(latitudes) and latitudes[0] < 10 and latitudes[-1] > 30  # Darién to the border
    path = next(layer for layer in spec["layer"] if layer["mark"].get("strokeDash"))["data"]["values"]
    assert [segment["geometry"]["coordinates"][0][1] for segment in path] == latitudes[:-1]
    sentence = spec["description"]
    assert f'id="route-map-description">{html.escape(sentence)}</figcaption>' in page.text
    for row, figure in zip(shown, expected, strict=True):
        assert f"{row['name']}: {figure:,.0f} {row['unit'].lower()}" in sentence
    table = page.text.split(f"<tr><td>{year}</td>")[1].split("</tr>")[0]
    assert [int(n.replace(",", "")) for n in re.findall(r"[\d,]+", table)] == expected


def test_a_citizenship_with_no_figures_gets_no_route_map(base):
    page = httpx.get(f"{base}/routes", params={"citizenship": "VAT", "lang": "en"})  # the Holy See
    assert page.status_code == 200 and "spec-route-map" not in page.text and "vega" not in page.text
    assert "No data published for this citizenship." in page.text


@pytest.mark.parametrize(("language", "first"), [("es", "Afganistán"), ("en", "Afghanistan")])
def test_the_citizenships_are_listed_by_name_in_the_page_language(base, language, first):
    """Seen red in code order (ABW, AFG, AGO... whatever their names)."""
    page = httpx.get(f"{base}/routes", params={"lang": language}).text
    select = page.split('<select id="citizenship"')[1].split("</select>")[0]
    names = [html.unescape(n) for n in re.findall(r"<option [^>]*>([^<]+)</option>", select)]
    assert len(names) > 50 and names[0] == first
    assert names == sorted(names, key=normalise)


@pytest.mark.parametrize("path", ["/routes", "/mirrors", "/mirrors/TRANSITS_PAN_HND"])
@pytest.mark.parametrize(("language", "words"), [("es", "no es válida"), ("en", "is not valid")])
def test_a_bad_as_of_on_a_page_is_a_400_page_that_says_how_to_write_it(base, path, language, words):
    """Seen red with ``asOf`` ignored (a 200 page of today's figures)."""
    page = httpx.get(f"{base}{path}", params={"asOf": "yesterday", "lang": language}, headers={"accept": "text/html"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    text = html.unescape(page.text)
    assert words in text and "2025-06-30T12:00:00Z" in text


def test_a_good_as_of_reads_the_page_as_published_then(base):
    """Before the first publication nothing was published: the route has no figures then."""
    now = httpx.get(f"{base}/routes", params={"lang": "en", "citizenship": "VEN"})
    assert "spec-route-map" in now.text
    then = httpx.get(f"{base}/routes", params={"lang": "en", "citizenship": "VEN", "asOf": "2001-01-01"})
    assert then.status_code == 200 and "spec-route-map" not in then.text
    assert "No data published for this citizenship." in then.text
    assert "asOf=2001-01-01" in then.headers["link"]
