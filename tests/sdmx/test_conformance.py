"""Every row of the conformance table holds over HTTP against a live server, and docs/sdmx.md shows the
table as it is (``python -m tests.sdmx.conformance`` rewrites it)."""

from __future__ import annotations

import json

import httpx
import pytest
from lxml import etree

from tests.sdmx.conformance import DOC, PROBES, Probe, documented, render

ERROR = ".//{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}ErrorMessage"


def sdmx_error_code(response: httpx.Response) -> int:
    if response.headers["content-type"].startswith("application/json"):
        return int(json.loads(response.content)["errors"][0]["code"])
    return int(etree.fromstring(response.content).find(ERROR).get("code"))


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.request)
def test_the_service_answers_as_the_table_says(live_url, probe: Probe):
    headers = {**({"Accept": probe.accept} if probe.accept else {}), **probe.headers}
    response = httpx.request(probe.method, f"{live_url}/{probe.path}", headers=headers, timeout=60)
    assert response.status_code == probe.status, response.text[:500]
    if probe.media_type is None:
        assert "content-type" not in response.headers or not response.content
    else:
        assert response.headers["content-type"].startswith(probe.media_type)
    if probe.code is not None:
        assert sdmx_error_code(response) == probe.code
    if probe.method in {"HEAD", "OPTIONS"} or probe.status == 304:
        assert response.content == b""
    for fact in probe.facts:
        assert fact in response.text, fact
    for expected in probe.answer_headers:
        name, _, text = expected.partition(": ")
        assert name in response.headers and text in response.headers[name], expected


def test_the_support_matrix_in_the_docs_is_the_table():
    assert documented(DOC.read_text(encoding="utf-8")) == render(), "run: python -m tests.sdmx.conformance"
