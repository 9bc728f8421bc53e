"""Exchange between instances: the regional PIVGM pulls a national PIVGM's published data over SDMX, both
running as real servers on loopback, and then serves them with the national service as provenance."""

from __future__ import annotations

import csv
import io
import signal
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from pivgm.errors import SourceFormatError
from pivgm.platform import Platform
from pivgm.workflow.pulling import structure_dimensions
from tests.backends import environment_for
from tests.executable import EXECUTABLE
from tests.sdmx.conftest import load_platform
from tests.sdmx.live import live_server

FLOW = "DF_IRREGULAR_TRANSIT"
SPECIMENS = Path(__file__).parent / "specimens"


def pull_command(regional: Platform, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXECUTABLE), "pull", *arguments],
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


def provider_rows(platform: Platform, provider: str) -> int:
    return max((v for v in platform.records.versions(FLOW) if v.provider_id == provider), key=lambda v: v.id).row_count


def test_a_partial_pull_replaces_only_what_it_asked_for_and_an_unchanged_pull_records_nothing(national, tmp_path):
    """Reproduces issue 11: ``pull --key ... --start ...`` replaced the provider's observations with the few
    it asked for, and every pull of unchanged data made a new version. Fails if ``scope`` or
    ``skip_unchanged`` is no longer passed to ``load_source`` by ``pull``."""
    regional = load_platform(tmp_path / "regional", ())
    assert pull_command(regional, national, FLOW, "--provider", "HN_INM").returncode == 0
    everything = provider_rows(regional, "HN_INM")
    again = pull_command(regional, national, FLOW, "--provider", "HN_INM")
    assert again.returncode == 0, again.stderr
    assert "Unchanged" in again.stdout
    assert len(regional.records.versions(FLOW)) == 1
    part = pull_command(regional, national, FLOW, "--key", "M.HND.VEN...", "--start", "2024-01", "--provider", "HN_INM")
    assert part.returncode == 0, part.stderr + part.stdout
    assert provider_rows(regional, "HN_INM") == everything
    with live_server(regional) as url:
        assert observations(url, ".HND....") == observations(national, ".HND....")


class CuttingProxy(ThreadingHTTPServer):
    """Forwards to a real service, but sends only the first half of data answers, without Content-Length
    (a connection that drops mid-stream)."""

    def __init__(self, target: str) -> None:
        self.target = target
        super().__init__(("127.0.0.1", 0), _Cutting)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sdmx/rest"


class _Cutting(BaseHTTPRequestHandler):
    server: CuttingProxy

    def do_GET(self) -> None:
        path = self.path.removeprefix("/sdmx/rest")
        answer = httpx.get(self.server.target + path, headers={"Accept": self.headers.get("Accept", "*/*")}, timeout=60)
        body = answer.content
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("content-type", "text/plain"))
        self.send_header("Connection", "close")
        self.end_headers()
        if path.startswith("/data/"):
            body = body[: body.rfind(b"\n", 0, len(body) // 2) + 1]
        self.wfile.write(body)

    def log_message(self, *arguments: object) -> None:
        """Quiet."""


def test_a_pull_cut_mid_stream_is_refused_and_loads_nothing(national, tmp_path):
    """Reproduces issue 11: an answer cut in the middle (no Content-Length) was published as complete. The
    count announced by the service's availability query now catches it: exit 5, nothing recorded. Fails if
    the count check in ``RemoteSource.read`` is removed."""
    regional = load_platform(tmp_path / "regional", ())
    proxy = CuttingProxy(national)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        done = pull_command(regional, proxy.url, FLOW, "--provider", "HN_INM")
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert done.returncode == 5, done.stdout + done.stderr
    assert "was cut" in done.stderr
    assert regional.records.versions(FLOW) == []


def test_a_dry_run_prints_the_change_and_writes_nothing(national, tmp_path):
    """Fails if ``--dry-run`` loads anything (it is answered by ``preview`` alone)."""
    regional = load_platform(tmp_path / "regional", ())
    done = pull_command(regional, national, FLOW, "--provider", "HN_INM", "--dry-run")
    assert done.returncode == 0, done.stderr + done.stdout
    total = len(observations(national, "all"))
    assert f"{total:,} added, 0 revised, 0 deleted" in done.stdout
    assert "new " in done.stdout  # a sample of the added observations
    assert regional.records.versions(FLOW) == []


KILLED_PULL = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from pivgm.platform import Platform
    from pivgm.settings import Settings
    from pivgm.workflow.pulling import PullRequest, pull

    platform = Platform.open(Settings())

    def kill_at(reached):
        if reached == sys.argv[2]:
            os.kill(os.getpid(), signal.SIGKILL)

    request = PullRequest(sys.argv[1], "DF_IRREGULAR_TRANSIT", provider_id="HN_INM")
    pull(request, platform.standard, platform.records, platform.warehouse, checkpoint=kill_at)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["fetched", "conformed", "version-written", "release-written"])
def test_a_pull_killed_at_any_stage_leaves_the_previous_release_serving_identically(national, tmp_path, stage):
    """SIGKILL at each stage of a pull: the release in force and its SDMX-CSV answer stay byte for byte as
    they were. Fails if anything is recorded before the kill point (seen red with the load moved before
    the ``fetched`` stage)."""
    regional = load_platform(tmp_path / "regional", ("panama_darien",))
    part = pull_command(regional, national, FLOW, "--key", "M.HND.VEN...", "--start", "2024-01", "--provider", "HN_INM")
    assert part.returncode == 0, part.stderr
    before = regional.records.published_releases()[FLOW]
    with live_server(regional) as url:
        answer = httpx.get(f"{url}/data/{FLOW}/all", params={"format": "sdmx-csv-2.0"}, timeout=60).content
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_PULL, national, stage],
        env=environment_for(regional.settings),
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert regional.records.published_releases()[FLOW] == before
    assert len(regional.records.versions(FLOW)) == 2
    with live_server(regional) as url:
        assert httpx.get(f"{url}/data/{FLOW}/all", params={"format": "sdmx-csv-2.0"}, timeout=60).content == answer
