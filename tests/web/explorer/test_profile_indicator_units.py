"""A country profile's indicator table says what each figure counts: its unit and, where the indicator
has another unit of count, which one (the recognition rate is of persons, not cases). Over HTTP on a live
server with every real source."""

from __future__ import annotations

import re
from html import unescape

import pytest


@pytest.mark.parametrize(
    ("language", "unit", "counted"),
    [("es", "Porcentaje", "Unidad de conteo: Personas"), ("en", "Percent", "Counting unit: Persons")],
)
def test_the_recognition_rate_says_it_counts_persons(live, language, unit, counted):
    """Seen red without the selection's codes in the row: the rate said "Percentage" of nothing named."""
    page = live.get("/country/MEX", params={"lang": language})
    assert page.status_code == 200
    table = page.text.split('id="indicators"')[1].split("</table>")[0]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    rows = {
        re.search(r"/explore/(DF_\w+)", row[0])[1]: unescape(re.sub(r"<[^>]+>", " ", row[2]))  # type: ignore[index]
        for row in cells
        if row
    }
    rate = rows.pop("DF_IND_ASYLUM_RECOGNITION_RATE")
    assert unit in rate and counted in rate, rate
    others = list(rows.values())
    assert others and all(":" not in v for v in others)  # one code per selection: nothing more to say
