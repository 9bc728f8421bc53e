"""Load one source as a new dataset version and publish the dataflow's new release, atomically.

Order of events (each stage reads only the previous one):
1. read and conform the source (nothing written yet);
2. write the version's Parquet file (complete, then renamed into place);
3. build the release snapshot: the published versions of the other providers plus this one;
4. one records transaction makes the version and the release visible.
A failure or a kill before step 4 commits leaves only unreferenced files, which no reader opens and which
``collect_garbage`` removes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pivgm.ingest.conform import conform
from pivgm.records import ProviderInfo, Records, ReleaseInfo, VersionInfo
from pivgm.records.repository import NewVersion, utc_now
from pivgm.sources import SourceImporter
from pivgm.structures import Standard
from pivgm.warehouse import Warehouse
from pivgm.warehouse.merge import iso_utc, stamp_revisions

Checkpoint = Callable[[str], None]


def _no_checkpoint(stage: str) -> None:
    """Stages are named so that tests can interrupt a load at each one."""


@dataclass(frozen=True)
class LoadResult:
    source: str
    version: VersionInfo
    release: ReleaseInfo


def _digest_files(paths: list[Path]) -> tuple[str, list[dict[str, str]]]:
    overall = hashlib.sha256()
    described = []
    for path in paths:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        overall.update(digest.encode())
        described.append({"name": path.name, "sha256": digest})
    return overall.hexdigest(), described


def load_source(
    importer: SourceImporter,
    standard: Standard,
    records: Records,
    warehouse: Warehouse,
    directory: Path | None = None,
    checkpoint: Checkpoint = _no_checkpoint,
) -> LoadResult:
    """Load ``importer``'s files as a new version of its dataflow and release it at once."""
    dataflow = standard.dataflow(importer.dataflow_id)
    paths = importer.paths(directory) if directory else importer.paths()
    table = importer.read(directory) if directory else importer.read()
    table = conform(table, dataflow, source=importer.id)
    keys = [*dataflow.structure.dimension_ids, dataflow.structure.time_dimension]
    newest = {v.provider_id: v for v in records.current_versions(dataflow.id)}.get(importer.provider_id)
    previous = warehouse.path(newest.parquet_file) if newest else None
    table = stamp_revisions(previous, table, keys, dataflow.structure.measure.id, iso_utc(utc_now()))
    checkpoint("conformed")
    input_sha256, source_files = _digest_files(paths)
    stored = warehouse.write_version(dataflow.id, table)
    checkpoint("version-written")
    others = [v for v in records.published_versions(dataflow.id) if v.provider_id != importer.provider_id]
    release_file = warehouse.build_release(dataflow.id, [v.parquet_file for v in others] + [stored.relative_path], keys)
    checkpoint("release-written")
    provider = ProviderInfo(
        id=importer.provider_id,
        name_es=importer.provider_name["es"],
        name_en=importer.provider_name["en"],
        source_url=importer.source_url,
    )
    version, release = records.record_version_and_release(
        NewVersion(
            dataflow_id=dataflow.id,
            provider=provider,
            source=importer.id,
            source_files=source_files,
            input_sha256=input_sha256,
            parquet_file=stored.relative_path,
            row_count=stored.row_count,
        ),
        release_file=release_file.relative_path,
        release_rows=release_file.row_count,
        other_version_ids=[v.id for v in others],
    )
    checkpoint("committed")
    return LoadResult(importer.id, version, release)
