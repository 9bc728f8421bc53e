"""Loading a source makes a new version and a new release visible at once, or nothing at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from pivgm.catalog import Catalog, DataSelection
from pivgm.catalog.published import PublishedData
from pivgm.platform import Platform
from pivgm.sources import get_importer
from pivgm.workflow.loading import load_source
from tests.backends import environment_for, settings_for

SMALL_SOURCE = "honduras_inm"
OTHER_PROVIDER_SAME_FLOW = "panama_darien"


class InjectedFailure(RuntimeError):
    pass


def load(platform: Platform, source: str = SMALL_SOURCE, **kwargs):
    importer = get_importer(source)
    return load_source(importer, platform.standard, platform.records, platform.warehouse, **kwargs)


def released_rows(platform: Platform, dataflow_id: str) -> int:
    return Catalog(PublishedData(platform)).data(dataflow_id, DataSelection()).table.num_rows


def test_a_loaded_source_is_published_with_its_provenance(empty_platform):
    result = load(empty_platform)
    importer = get_importer(SMALL_SOURCE)
    assert result.version.row_count == importer.read().num_rows
    assert released_rows(empty_platform, importer.dataflow_id) == result.version.row_count
    assert {f["name"] for f in result.version.source_files} == set(importer.files)
    assert all(len(f["sha256"]) == 64 for f in result.version.source_files)
    assert result.version.provider_id == importer.provider_id


def test_loading_the_same_source_twice_adds_a_version_but_no_observation(empty_platform):
    first = load(empty_platform)
    second = load(empty_platform)
    dataflow_id = first.version.dataflow_id
    assert second.version.id > first.version.id
    assert len(empty_platform.records.versions(dataflow_id)) == 2
    assert second.release.row_count == first.release.row_count
    assert released_rows(empty_platform, dataflow_id) == first.version.row_count
    assert second.version.input_sha256 == first.version.input_sha256


def test_providers_of_one_dataflow_are_released_together_and_kept_on_reload(empty_platform):
    transit = load(empty_platform, OTHER_PROVIDER_SAME_FLOW)
    honduras = load(empty_platform)
    assert honduras.release.row_count == transit.version.row_count + honduras.version.row_count
    reloaded = load(empty_platform)
    assert reloaded.release.row_count == honduras.release.row_count
    providers = {v.provider_id for v in empty_platform.records.release_versions(reloaded.release.id)}
    assert providers == {
        get_importer(SMALL_SOURCE).provider_id,
        get_importer(OTHER_PROVIDER_SAME_FLOW).provider_id,
    }


@pytest.mark.parametrize("stage", ["conformed", "version-written", "release-written"])
def test_a_failure_at_any_stage_leaves_the_previous_release_in_force(empty_platform, stage):
    before = load(empty_platform)
    dataflow_id = before.version.dataflow_id

    def fail_at(reached: str) -> None:
        if reached == stage:
            raise InjectedFailure(stage)

    with pytest.raises(InjectedFailure):
        load(empty_platform, OTHER_PROVIDER_SAME_FLOW, checkpoint=fail_at)
    releases = empty_platform.records.published_releases()
    assert releases[dataflow_id].id == before.release.id
    assert released_rows(empty_platform, dataflow_id) == before.version.row_count
    assert len(empty_platform.records.versions(dataflow_id)) == 1
    referenced = empty_platform.records.referenced_files()
    removed = empty_platform.warehouse.collect_garbage(referenced)
    assert all(str(p.relative_to(empty_platform.warehouse.data_dir)) not in referenced for p in removed)
    assert released_rows(empty_platform, dataflow_id) == before.version.row_count


KILLED_LOAD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from pivgm.platform import Platform
    from pivgm.settings import Settings
    from pivgm.sources import get_importer
    from pivgm.workflow.loading import load_source

    stage = sys.argv[2]
    platform = Platform.open(Settings(data_dir=Path(sys.argv[1])))

    def kill_at(reached):
        if reached == stage:
            os.kill(os.getpid(), signal.SIGKILL)

    load_source(get_importer(sys.argv[3]), platform.standard, platform.records, platform.warehouse,
                checkpoint=kill_at)
    """
)


@pytest.mark.parametrize("stage", ["version-written", "release-written"])
def test_a_load_killed_with_sigkill_leaves_the_previous_release_and_only_unread_orphans(tmp_path, stage):
    settings = settings_for(tmp_path / "data")
    platform = Platform.initialise(settings)
    before = load(platform)
    dataflow_id = before.version.dataflow_id

    process = subprocess.run(
        [sys.executable, "-c", KILLED_LOAD, str(settings.data_dir), stage, OTHER_PROVIDER_SAME_FLOW],
        capture_output=True,
        timeout=120,
        check=False,
        env=environment_for(settings),
    )
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()

    reopened = Platform.open(settings)
    assert reopened.records.published_releases()[dataflow_id].id == before.release.id
    assert released_rows(reopened, dataflow_id) == before.version.row_count
    orphans = reopened.warehouse.orphans(reopened.records.referenced_files())
    assert orphans, "the killed load wrote files that no record points to"
    assert all(not str(p).endswith(before.release.parquet_file) for p in orphans)
    reopened.warehouse.collect_garbage(reopened.records.referenced_files())
    assert reopened.warehouse.orphans(reopened.records.referenced_files()) == []
    assert released_rows(reopened, dataflow_id) == before.version.row_count
    assert os.path.exists(reopened.warehouse.path(before.release.parquet_file))
