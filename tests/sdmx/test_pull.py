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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from lxml import etree

from pivgm.catalog import Catalog, DataSelection
from pivgm.catalog.published import PublishedData
from pivgm.errors import SourceFormatError
from pivgm.platform import Platform
from pivgm.sources import get_importer
from pivgm.workflow.loading import load_source
from pivgm.workflow.pulling import structure_dimensions
from tests.backends import environment_for, settings_for
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


def observations(url: str, key: str, provider: str = "all", **parameters: str) -> list[tuple[str, ...]]:
    parameters = {"format": "sdmx-csv-2.0", **parameters}
    response = httpx.get(f"{url}/data/{FLOW}/{key}/{provider}", params=parameters, timeout=60)
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


def test_a_pull_of_a_key_and_period_keeps_the_sources_provider(national, tmp_path):
    regional = load_platform(tmp_path / "regional", ())
    done = pull_command(regional, national, FLOW, "--key", "M.HND.VEN...", "--start", "2024-01")
    assert done.returncode == 0, done.stderr + done.stdout
    (version,) = regional.records.versions(FLOW)
    assert version.provider_id == "HN_INM"
    assert version.source.startswith(f"pull {national}/data/{FLOW}/M.HND.VEN.../HN_INM")
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


Change = Callable[[str, int, bytes], tuple[int, bytes]]


class Proxy(ThreadingHTTPServer):
    """Another SDMX service: forwards to a real one and sends its answers changed by ``change(path, status,
    body)``, without Content-Length (as a connection that may drop mid-stream)."""

    def __init__(self, target: str, change: Change, forward: Callable[[str], str] = str) -> None:
        self.target = target
        self.change = change
        self.forward = forward
        super().__init__(("127.0.0.1", 0), _Forwarding)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sdmx/rest"


class _Forwarding(BaseHTTPRequestHandler):
    server: Proxy

    def do_GET(self) -> None:
        path = self.path.removeprefix("/sdmx/rest")
        accept = {"Accept": self.headers.get("Accept", "*/*")}
        answer = httpx.get(self.server.target + self.server.forward(path), headers=accept, timeout=60)
        status, body = self.server.change(path, answer.status_code, answer.content)
        self.send_response(status)
        self.send_header("Content-Type", answer.headers.get("content-type", "text/plain"))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments: object) -> None:
        """Quiet."""


@contextmanager
def proxy(target: str, change: Change, forward: Callable[[str], str] = str) -> Iterator[str]:
    """The proxy's SDMX entry point while the block runs."""
    server = Proxy(target, change, forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()


def cut_data(prefix: str = "/data/") -> Change:
    """Send only the first half of the data answers whose path starts with ``prefix``."""

    def change(path: str, status: int, body: bytes) -> tuple[int, bytes]:
        if path.startswith(prefix):
            body = body[: body.rfind(b"\n", 0, len(body) // 2) + 1]
        return status, body

    return change


def test_a_pull_cut_mid_stream_is_refused_and_loads_nothing(national, tmp_path):
    """Reproduces issue 11: an answer cut in the middle (no Content-Length) was published as complete. The
    count announced by the service's availability query now catches it: exit 5, nothing recorded. Fails if
    the count check in ``RemoteSource.read`` is removed."""
    regional = load_platform(tmp_path / "regional", ())
    with proxy(national, cut_data()) as url:
        done = pull_command(regional, url, FLOW, "--provider", "HN_INM")
    assert done.returncode == 5, done.stdout + done.stderr
    assert "was cut" in done.stderr
    assert regional.records.versions(FLOW) == []


@pytest.fixture(scope="module")
def two_providers(tmp_path_factory: pytest.TempPathFactory):
    """An instance publishing two providers' data of one dataflow: Honduras' and Panama's."""
    platform = load_platform(tmp_path_factory.mktemp("two"), ("honduras_inm", "panama_darien"))
    with live_server(platform) as url:
        yield url


def test_each_of_the_sources_providers_becomes_its_own_version_in_one_release(two_providers, tmp_path):
    """Reproduces issue 11: every remote provider collapsed into one ``REMOTE_HOST_PORT`` provider. Fails
    when ``pull`` no longer reads the service's provider scheme (``_scheme``)."""
    regional = load_platform(tmp_path / "regional", ())
    done = pull_command(regional, two_providers, FLOW)
    assert done.returncode == 0, done.stderr + done.stdout
    versions = regional.records.versions(FLOW)
    assert sorted(v.provider_id for v in versions) == ["HN_INM", "PA_SNM"]
    (release,) = regional.records.releases(FLOW)
    assert sorted(release.version_ids) == sorted(v.id for v in versions)
    with live_server(regional) as url:
        for provider in ("HN_INM", "PA_SNM"):
            assert observations(url, "all", provider) == observations(two_providers, "all", provider)


def test_a_cut_answer_for_one_provider_loads_no_providers_data(two_providers, tmp_path):
    """All or nothing: Honduras' answer is whole, Panama's is cut, and neither is loaded. Fails when each
    provider is loaded in a commit of its own (seen red with ``pull`` calling ``load_sources`` per source)."""
    regional = load_platform(tmp_path / "regional", ())
    with proxy(two_providers, cut_data(f"/data/{FLOW}/all/PA_SNM")) as url:
        done = pull_command(regional, url, FLOW)
    assert done.returncode == 5, done.stdout + done.stderr
    assert "was cut" in done.stderr
    assert regional.records.versions(FLOW) == []
    assert regional.records.releases(FLOW) == []


def no_provider_scheme(path: str, status: int, body: bytes) -> tuple[int, bytes]:
    if path.startswith("/dataproviderscheme"):
        return 404, b"No such structure."
    return status, body


def test_a_service_without_a_provider_scheme_is_pulled_as_one_provider_and_says_so(two_providers, tmp_path):
    regional = load_platform(tmp_path / "regional", ())
    with proxy(two_providers, no_provider_scheme) as url:
        done = pull_command(regional, url, FLOW)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no data provider scheme" in done.stderr
    (version,) = regional.records.versions(FLOW)
    assert version.provider_id.startswith("REMOTE_127_0_0_1_")
    provider = {p.id: p for p in regional.records.providers()}[version.provider_id]
    assert (provider.name_es, provider.name_en) == (f"Servicio SDMX remoto {url}", f"Remote SDMX service {url}")
    with live_server(regional) as pulled:
        assert observations(pulled, "all") == observations(two_providers, "all")


def renamed_provider(path: str, status: int, body: bytes) -> tuple[int, bytes]:
    """The scheme calls Honduras' institute HN_NEW, a provider the pulling instance does not know."""
    if path.startswith("/dataproviderscheme"):
        body = body.replace(b'id="HN_INM"', b'id="HN_NEW"')
    return status, body


def test_a_provider_unknown_here_is_registered_with_the_sources_names(national, tmp_path):
    """Fails when the new provider gets names of its own instead of the scheme's (``_provider_info``)."""
    regional = load_platform(tmp_path / "regional", ())
    with proxy(national, renamed_provider, forward=lambda path: path.replace("HN_NEW", "HN_INM")) as url:
        done = pull_command(regional, url, FLOW)
    assert done.returncode == 0, done.stderr + done.stdout
    (version,) = regional.records.versions(FLOW)
    assert version.provider_id == "HN_NEW"
    scheme = etree.fromstring(httpx.get(f"{national}/dataproviderscheme", timeout=60).content)
    (source,) = [p for p in scheme.iter("{*}DataProvider") if p.get("id") == "HN_INM"]
    names = {n.get("{http://www.w3.org/XML/1998/namespace}lang"): n.text for n in source.iter("{*}Name")}
    provider = {p.id: p for p in regional.records.providers()}["HN_NEW"]
    assert (provider.name_es, provider.name_en) == (names["es"], names["en"])
    assert provider.source_url == url


def spaced_comments(path: str, status: int, body: bytes) -> tuple[int, bytes]:
    """Data answers whose first observation has an empty comment (``""``, not absent) and whose second has
    one with surrounding spaces, as another service may send."""
    if not path.startswith("/data/") or status != 200:
        return status, body
    lines = body.split(b"\n")
    assert lines[0].endswith(b",OBS_COMMENT,UPDATED"), lines[0]
    for number, comment in ((1, b'""'), (2, '"  a comment, kept as sent\u00a0"'.encode())):
        head, updated = lines[number].rsplit(b",", 1)
        assert head.endswith(b","), lines[number]  # OBS_COMMENT, before UPDATED, is absent
        lines[number] = head + comment + b"," + updated
    return status, b"\n".join(lines)


def test_text_is_kept_exactly_empty_strings_and_spaces_included(national, tmp_path):
    """Reproduces issue 11: pulled text was trimmed and ``""`` became absent. Fails when ``exact_csv`` lets
    quoted empty strings be null, or when pulled SDMX-CSV is read by the trimming submission reader."""
    regional = load_platform(tmp_path / "regional", ())
    with proxy(national, spaced_comments) as url:
        done = pull_command(regional, url, FLOW)
        sent = httpx.get(f"{url}/data/{FLOW}/all/all", params={"format": "sdmx-csv-2.0"}, timeout=60).content
    assert done.returncode == 0, done.stderr + done.stdout
    with live_server(regional) as pulled:
        answer = httpx.get(f"{pulled}/data/{FLOW}/all", params={"format": "sdmx-csv-2.0"}, timeout=60).content
    assert answer.split(b"\n")[1].rsplit(b",", 1)[0].endswith(b',""')
    assert answer == sent


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


def stamped_platform(data_dir: Path) -> Platform:
    """An instance whose two providers' data last changed long before any pull: Honduras' on 1 May 2024,
    Panama's on 2 June 2025."""
    platform = Platform.initialise(settings_for(data_dir))
    for source, moment in (("honduras_inm", datetime(2024, 5, 1, 12, tzinfo=UTC)), ("panama_darien", LATER)):
        importer = get_importer(source)
        load_source(importer, platform.standard, platform.records, platform.warehouse, clock=lambda m=moment: m)
    return platform


LATER = datetime(2025, 6, 2, 8, 30, tzinfo=UTC)


def last_updated(platform: Platform) -> dict[tuple[str, ...], str]:
    """Each published observation's key and when it last changed, as the JSON API reads it."""
    structure = platform.standard.dataflow(FLOW).structure
    view = Catalog(PublishedData(platform)).data(FLOW, DataSelection())
    assert view.total == view.table.num_rows  # every observation on one page
    key = [*structure.dimension_ids, structure.time_dimension]
    return {tuple(str(r[c]) for c in key): r["LAST_UPDATED"] for r in view.table.to_pylist()}


def test_a_pull_keeps_when_each_observation_last_changed_at_the_source(tmp_path):
    """Reproduces issue 11: LAST_UPDATED became the time of the pull. The source's SDMX-CSV 2.0 answer ends
    with the standard's custom ``UPDATED`` column and the pull keeps it, per observation and provider. Seen
    red with the ``UPDATED`` column left out of the answer (``UPDATED_FORMATS`` empty) and with the pull's
    ``keep_given`` off: the pulled observations then said the pull's time."""
    national = stamped_platform(tmp_path / "national")
    regional = load_platform(tmp_path / "regional", ())
    with live_server(national) as url:
        answer = httpx.get(f"{url}/data/{FLOW}/all", params={"format": "sdmx-csv-2.0"}, timeout=60)
        header = answer.text.splitlines()[0].split(",")
        assert header[-1] == "UPDATED"
        assert {row["UPDATED"] for row in csv.DictReader(io.StringIO(answer.text))} == {
            "2024-05-01T12:00:00Z",
            "2025-06-02T08:30:00Z",
        }
        done = pull_command(regional, url, FLOW)
        assert done.returncode == 0, done.stderr + done.stdout
        with live_server(regional) as pulled:
            again = httpx.get(f"{pulled}/data/{FLOW}/all", params={"format": "sdmx-csv-2.0"}, timeout=60)
            assert again.content == answer.content
    stamps = last_updated(regional)
    assert stamps == last_updated(national)
    assert set(stamps.values()) == {"2024-05-01T12:00:00Z", "2025-06-02T08:30:00Z"}


def unreadable_update(path: str, status: int, body: bytes) -> tuple[int, bytes]:
    if not path.startswith("/data/"):
        return status, body
    return status, body.replace(b"2024-05-01T12:00:00Z", b"last spring")


def test_an_update_time_that_is_not_a_time_is_refused_and_nothing_is_loaded(tmp_path):
    national = stamped_platform(tmp_path / "national")
    regional = load_platform(tmp_path / "regional", ())
    with live_server(national) as url, proxy(url, unreadable_update) as changed:
        done = pull_command(regional, changed, FLOW)
    assert done.returncode == 1, done.stderr + done.stdout
    assert "UPDATED holds 'last spring'" in done.stderr
    assert regional.records.versions(FLOW) == []
