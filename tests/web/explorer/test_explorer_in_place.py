"""A filter change updates the explorer in place: the explorer's script asks the same address with
``HX-Request: true`` and gets the view alone (chart, table, description) with the filters' counts for the
new selection, to swap into the page; any other request (no script, a shared link, a history reload) gets
the whole page, as before. Both answers vary on the header, so that no cache serves one for the other.

Seen red: with the template chosen without ``wants_fragment`` the script gets a whole page; without the
``vary`` call a cache may keep one answer for both; without the options' counts in
explorer_fragment.html the counts stay those of the previous selection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from pivgm.platform import Platform
from tests.live import serving
from tests.sdmx.conftest import load_platform
from tests.web.explorer.explorer_helpers import spec_of

PAGE = "/explore/DF_IRREGULAR_TRANSIT"
IN_PLACE = {"HX-Request": "true"}
COUNT = re.compile(r'<span class="code-count[^"]*" (id|data-count)="n\.(\w+)\.([^"]+)">([^<]*)</span>')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    platform: Platform = load_platform(tmp_path_factory.mktemp("in-place"), ("panama_darien",))
    with serving(platform.settings) as base:
        yield base


def get(site: str, headers: dict[str, str] | None = None, **params: str) -> httpx.Response:
    response = httpx.get(site + PAGE, params=params, headers=headers or {}, follow_redirects=True, timeout=30)
    assert response.status_code == 200, response.text[:500]
    return response


def counts(html: str, swapped: bool) -> dict[tuple[str, str], str]:
    """Each filter option's count on the page (or, ``swapped``, sent to replace the one on the page)."""
    return {(d, c): n for kind, d, c, n in COUNT.findall(html) if (kind == "data-count") == swapped}


@pytest.mark.parametrize(("language", "updated"), [("es", "Vista actualizada."), ("en", "View updated.")])
def test_a_filter_change_gets_the_view_alone_with_the_new_counts(site, language, updated):
    before = counts(get(site, lang=language).text, swapped=False)
    response = get(site, IN_PLACE, CITIZENSHIP="VEN", lang=language)
    fragment = response.text
    assert "<html" not in fragment and "<body" not in fragment and 'id="explorer-form"' not in fragment
    spec = spec_of(fragment)
    assert spec["description"].startswith("Tránsito" if language == "es" else "Irregular")
    assert f"{updated} {spec['description']}" in fragment  # announced to screen readers
    new = counts(fragment, swapped=True)
    assert new == counts(get(site, CITIZENSHIP="VEN", lang=language).text, swapped=False)  # as Apply would show
    assert new != before and new.keys() == before.keys()  # the other filters' counts follow the selection
    assert "hx-request" in response.headers["vary"].lower()


def test_the_form_as_sent_by_the_script_lands_on_the_shareable_address_of_the_view(site):
    """The script sends the form's fields; the answer comes from the canonical address (which the script
    pushes into the history), and it is the view alone, with the language link of the new address."""
    response = httpx.get(
        site + PAGE,
        params=[("lang", "en"), ("view", "line"), ("from", "2023-01"), ("to", ""), ("layout.TIME_PERIOD", "cols"),
                ("CITIZENSHIP", "*"), ("CITIZENSHIP", "VEN"), ("layout.CITIZENSHIP", "series")],
        headers=IN_PLACE,
        follow_redirects=True,
        timeout=30,
    )  # fmt: skip
    assert response.status_code == 200 and [r.status_code for r in response.history] == [303]
    assert "layout." not in str(response.url) and "CITIZENSHIP=VEN" in str(response.url)
    assert "<html" not in response.text and spec_of(response.text)
    switch = re.search(r'<a class="lang-switch" href="([^"]+)"', response.text)
    assert switch and "CITIZENSHIP=VEN" in switch.group(1) and switch.group(1).endswith("lang=es")


@pytest.mark.parametrize("headers", [{}, {**IN_PLACE, "HX-History-Restore-Request": "true"}])
def test_any_other_request_gets_the_whole_page(site, headers):
    response = get(site, headers, CITIZENSHIP="VEN", lang="en")
    assert response.text.startswith("<!doctype html>") and '<html lang="en">' in response.text
    assert 'id="explorer-form"' in response.text and spec_of(response.text)
    assert "hx-swap-oob" not in response.text and "data-count=" not in response.text
    assert "hx-request" in response.headers["vary"].lower()
