"""The guided upload's pages read the uploaded file under the limits a submission has: a hostile file on the
preview, mapping or rows page is refused with a page that says why, in Spanish and English, and the server
keeps answering."""

from __future__ import annotations

import re
import time

import pytest

from tests.web.signed_in.conftest import browser, honduras_file, upload

WIDE = (";".join(f"c{i}" for i in range(10**6)) + "\n" + ";".join("1" * 10**6) + "\n").encode()
MESSAGES = {
    "es": "El archivo tiene más columnas de las que admite un envío. Revise el delimitador",
    "en": "The file has more columns than one submission may hold. Check the delimiter",
}


@pytest.mark.slow
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_million_column_file_gets_a_413_page_on_the_preview_and_mapping_pages(team, language):
    """Seen red without the column cap in ``drafts.read_staged`` (the preview page then read the 10^6 columns in
    the web worker: no answer within the test's 60 s, and a worker busy for minutes)."""
    client = browser(team, "hn.only", language)
    started = time.monotonic()
    preview = upload(client, "HN_INM", "DF_IRREGULAR_TRANSIT", "ancho.csv", WIDE)
    assert preview.status_code == 413
    assert MESSAGES[language] in preview.text
    assert time.monotonic() - started < 30
    sha256 = re.search(r"/submit/file/([0-9a-f]{64})", str(preview.url))
    assert sha256
    query = {"provider": "HN_INM", "dataflow": "DF_IRREGULAR_TRANSIT", "lang": language}
    mapping = client.get(f"/submit/file/{sha256.group(1)}/mapping", params=query)
    assert mapping.status_code == 413
    assert MESSAGES[language] in mapping.text
    assert client.get("/api/dataflows").status_code == 200  # the server keeps answering
    ordinary = upload(client, "HN_INM", "DF_IRREGULAR_TRANSIT", "irreg_honduras.csv", honduras_file())
    assert ordinary.status_code == 200
