"""Exchange between instances: the regional PIVGM pulls a national PIVGM's published data over SDMX, both
running as real servers on loopback, and then serves them with the national service as provenance."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pivgm.errors import SourceFormatError
from pivgm.platform import Platform
from pivgm.workflow.pulling import structure_dimensions
from tests.backends import environment_for
from tests.sdmx.conftest import load_platform
from tests.sdmx.live import live_server

FLOW = "DF_IRREGULAR_TRANSIT"
SPECIMENS = Path(__file__).parent / "specimens"


def pull_command(regional: Platform, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pivgm", "pull", *arguments],
        env=environment_for(regional.settings),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def observations(url: str, key: str, **parameters: str) -> list[tuple[str, ...]]:
    response = httpx.get(f"{url}/data/{FLOW}/{key}", params={"format": "sdmx-csv-2.0", **parameters}, timeout=60)
    assert response.status_code == 200, response.text
    reader = csv.DictReader(io.StringIO(response.text))
    return sorted(tuple(v for k, v in row.items() if k != "STRUCTURE_ID") for row in reader)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory):
    """Honduras' instance, with its migration institute's published data."""
    platform = load_platform(tmp_path_factory.mktemp("national"), ("honduras_inm",))
    with live_server(platform) as url:
        yield url


def test_the_regional_instance_pulls_and_serves_a_national_instances_data(national, tmp_path):
    regional = load_platform(tmp_path / "regional", ("panama_darien",))
    done = pull_command(regional, national, FLOW, "--provider", "HN_INM")
    assert done.returncode == 0, done.stderr + done.stdout

    with live_server(regional) as url:
        assert observations(url, ".HND....") == observations(national, ".HND....")
        assert observations(url, ".PAN....")  # the region's own provider is kept beside the pulled one
    (version,) = [v for v in regional.records.versions(FLOW) if v.provider_id == "HN_INM"]
    assert version.source.startswith(f"pull {national}/data/{FLOW}/all")
    assert {f["name"] for f in version.source_files} == {"structure.xml", "data.csv"}
    assert {p.id: p.source_url for p in regional.records.providers()}["HN_INM"] == national


def test_a_pull_of_a_key_and_period_records_the_remote_as_a_new_provider(national, tmp_path):
    regional = load_platform(tmp_path / "regional", ())
    done = pull_command(regional, national, FLOW, "--key", "M.HND.VEN...", "--start", "2024-01")
    assert done.returncode == 0, done.stderr + done.stdout
    (version,) = regional.records.versions(FLOW)
    assert version.provider_id.startswith("REMOTE_127_0_0_1_")
    with live_server(regional) as url:
        pulled = observations(url, "all")
    assert pulled == observations(national, "M.HND.VEN...", startPeriod="2024-01")


def test_a_pull_that_finds_nothing_or_no_service_fails_clearly_and_loads_nothing(national, tmp_path):
    regional = load_platform(tmp_path / "regional", ())
    nothing = pull_command(regional, national, FLOW, "--key", "M.PAN....")
    assert nothing.returncode == 3
    assert "no results" in nothing.stderr.lower()
    unreachable = pull_command(regional, "http://127.0.0.1:9/sdmx/rest", FLOW)
    assert unreachable.returncode == 7
    assert "Cannot reach" in unreachable.stderr
    unknown = pull_command(regional, national, "DF_UNKNOWN")
    assert unknown.returncode == 3
    assert regional.records.versions(FLOW) == []


def test_the_dimensions_of_another_services_structure_are_read_in_key_order():
    specimen = (SPECIMENS / "ecb_exr1_structure.xml").read_bytes()
    assert structure_dimensions(specimen, "ECB_EXR1", "specimen") == [
        "FREQ",
        "CURRENCY",
        "CURRENCY_DENOM",
        "EXR_TYPE",
        "EXR_SUFFIX",
    ]
    with pytest.raises(SourceFormatError, match="lacks the data structure"):
        structure_dimensions(specimen, "DSD_IRREGULAR_TRANSIT", "specimen")
