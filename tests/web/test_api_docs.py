"""The API documentation page is served from the package's own files: no outside host, ever."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from pivgm.web.app import create_app
from pivgm.web.assets import missing_assets


@pytest.fixture(scope="module")
def docs_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    from tests.conftest import new_platform

    platform = new_platform(tmp_path_factory.mktemp("api-docs"))
    with TestClient(create_app(platform.settings)) as client:
        yield client


def test_the_docs_page_references_no_outside_host(docs_client):
    """Fails if ``docs_url`` goes back to FastAPI's default page (Swagger UI from cdn.jsdelivr.net)."""
    assert not [name for name in missing_assets() if "swagger" in name], "run scripts/setup (npm ci + assets)"
    page = docs_client.get("/api/docs")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    assert not re.findall(r"(?:https?:)?//[\w.-]+", page.text), "the page names an outside host"
    referenced = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
    assert "/static/vendor/swagger-ui-bundle.js" in referenced and "/api/openapi.json" in referenced
    for path in referenced:
        assert docs_client.get(path).status_code == 200, path
