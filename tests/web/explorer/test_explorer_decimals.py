"""Rates are shown with the decimals their series is published with (the dataflow's ``decimals``, the SDMX
``DECIMALS`` attribute), whatever the value: refugees per 1,000 inhabitants with two, migrants per 100,000
with one, counts with none."""

from __future__ import annotations

import re

CELL = re.compile(r'<td class="num[^"]*" data-sort="(-?[0-9.e+-]+)"[^>]*>([^<]+)<')


def cells(page: str) -> list[tuple[float, str]]:
    return [(float(value), text) for value, text in CELL.findall(page)]


def places(text: str) -> int:
    number = text.replace(",", "").replace("\u00a0", " ").split(" ")[0]
    return len(number.split(".")[1]) if "." in number else 0


def test_each_rate_has_the_decimals_of_its_dataflow(get_page):
    """Seen red with the table's rates written by size (0.35 and 1,234.5 alike, not as DECIMALS says)."""
    for flow, expected in (("DF_IND_REFUGEES_PER_1000", 2), ("DF_IND_MIGRANTS_PER_100K", 1)):
        page = get_page(f"/explore/{flow}", view="table", REF_AREA="*", lang="en")
        found = cells(page)
        assert found, flow
        assert {places(text) for value, text in found if value} == {expected}, flow


def test_counts_have_no_decimals(get_page):
    page = get_page("/explore/DF_IRREGULAR_TRANSIT", view="table", lang="en")
    assert {places(text) for _, text in cells(page)} == {0}
