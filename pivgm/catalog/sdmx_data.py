"""Published observations for the SDMX API: streamed selections, codes with data, data providers.

Like ``Catalog``, these read through ``PublishedData`` only: release files and, to select by provider, the
version files that make up the release in force. The one exception is asked for by name and built elsewhere:
a ``DraftSource`` (``pivgm.workflow.draft_reading``, created only for an ``includeDrafts=true`` query of a
national account) replaces that account's providers' published versions by their drafts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from pivgm.catalog.decimals import stored_columns, with_computed
from pivgm.catalog.service import Catalog
from pivgm.errors import NotFoundError
from pivgm.model import Dataflow
from pivgm.model.releases import ReleaseInfo, VersionInfo
from pivgm.warehouse import DataQuery
from pivgm.warehouse import series as warehouse_series


@dataclass(frozen=True)
class ObservationSelection:
    """Codes per dimension, a period range, providers, and how to deliver the observations.

    ``series`` are the columns that key a series (for ``first_n``/``last_n``), ``order`` the sort order
    (empty: release order, by dimensions then period), and ``distinct`` asks for each combination of the
    requested columns once (series keys without their observations).
    """

    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    providers: Sequence[str] = ()
    any_of: tuple[Mapping[str, Sequence[str]], ...] = ()  # several keys: an observation matches one of them
    updated_after: datetime | None = None
    first_n: int | None = None
    last_n: int | None = None
    series: Sequence[str] = ()
    order: Sequence[str] = ()
    distinct: bool = False


@dataclass
class ObservationStream:
    """Selected observations; ``release`` is None when only drafts were read (the dataflow has no release),
    ``drafts`` the providers whose unpublished version replaced their published one."""

    dataflow: Dataflow
    release: ReleaseInfo | None
    providers: tuple[str, ...]
    batches: Iterator[pa.RecordBatch]
    drafts: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodesWithData:
    """Per dimension, the codes that have data and their observation counts; the period range; the providers
    whose unpublished version was counted."""

    dataflow: Dataflow
    codes: Mapping[str, Mapping[str, int]]
    start: str | None
    end: str | None
    observations: int
    drafts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """What a selection reads: the release file (``within``: version files whose keys to keep), or a union of
    version files when drafts replace published versions; the providers it holds; when it last changed."""

    data: warehouse_series.Snapshot
    within: tuple[Path, ...]
    providers: tuple[str, ...]
    release: ReleaseInfo | None
    changed_at: datetime
    drafts: tuple[str, ...] = ()


def _release(catalog: Catalog, dataflow: Dataflow) -> ReleaseInfo:
    release = catalog.releases().get(dataflow.id)
    if release is None:
        raise NotFoundError(f"Dataflow {dataflow.id!r} has no published data yet.", dataflow=dataflow.id)
    return release


def pick_providers(versions: Sequence[VersionInfo], wanted: Sequence[str], dataflow_id: str) -> list[VersionInfo]:
    """The versions of the ``wanted`` providers (none wanted: all); 404 when none of them has data."""
    if not wanted:
        return list(versions)
    providers = [v.provider_id for v in versions]
    if not any(p in providers for p in wanted):
        raise NotFoundError(
            f"No data from provider {'+'.join(wanted)} in {dataflow_id}; its providers are {', '.join(providers)}.",
            provider="+".join(wanted),
        )
    return [v for v in versions if v.provider_id in wanted]


def _providers(catalog: Catalog, release: ReleaseInfo, wanted: Sequence[str]) -> tuple[tuple[str, ...], list[Path]]:
    """The release's providers, and the version files of the ``wanted`` ones (none wanted: no files)."""
    versions = pick_providers(catalog.published.members(release), wanted, release.dataflow_id)
    files = [catalog.published.member_file(release, v) for v in versions] if wanted else []
    return tuple(v.provider_id for v in versions), files


def published_snapshot(catalog: Catalog, dataflow: Dataflow, wanted: Sequence[str]) -> Snapshot:
    """The release in force (the public path, unchanged by drafts)."""
    release = _release(catalog, dataflow)
    providers, within = _providers(catalog, release, wanted)
    path = catalog.published.release_file(release)
    return Snapshot(path, tuple(within), providers, release, release.published_at)


class DraftSource(Protocol):
    """Reads a selection with some providers' drafts in place of their published versions."""

    def snapshot(self, catalog: Catalog, dataflow: Dataflow, wanted: Sequence[str]) -> Snapshot: ...


def _snapshot(catalog: Catalog, dataflow: Dataflow, wanted: Sequence[str], drafts: DraftSource | None) -> Snapshot:
    return drafts.snapshot(catalog, dataflow, wanted) if drafts else published_snapshot(catalog, dataflow, wanted)


def _series_query(
    dataflow: Dataflow, selection: ObservationSelection, columns: Sequence[str], within: list[Path]
) -> warehouse_series.SeriesQuery:
    structure = dataflow.structure
    return warehouse_series.SeriesQuery(
        query=DataQuery(
            filters=dict(selection.filters), start=selection.start, end=selection.end, any_of=selection.any_of
        ),
        columns=tuple(columns),
        series=tuple(selection.series),
        order=tuple(selection.order),
        first_n=selection.first_n,
        last_n=selection.last_n,
        within=tuple(within),
        key_columns=(*structure.dimension_ids, structure.time_dimension),
        distinct=selection.distinct,
    )


def _check_updated(snapshot: Snapshot, dataflow_id: str, updated_after: datetime | None) -> None:
    """404 when the data read have not changed since ``updated_after``."""
    if updated_after is None or snapshot.changed_at > updated_after:
        return
    what = (
        "its data, with your unpublished versions, last changed"
        if snapshot.drafts
        else "its release in force was published"
    )
    raise NotFoundError(
        f"No changes to {dataflow_id} since {updated_after.isoformat()}: {what} at {snapshot.changed_at.isoformat()}.",
        dataflow=dataflow_id,
    )


def _changes(
    catalog: Catalog,
    dataflow: Dataflow,
    selection: ObservationSelection,
    query: warehouse_series.SeriesQuery,
    snapshot: Snapshot,
    since: datetime,
) -> warehouse_series.Changes:
    """The release in force at ``since`` (through the door: published releases only) against the one in force
    now, each cut to the wanted providers' keys of its own time; a revision is a change of the measure or
    an attribute."""
    structure = dataflow.structure
    compared = tuple(c for c in structure.column_ids if c not in query.key_columns)
    before = catalog.published.releases(since).get(dataflow.id)
    if before is None:
        return warehouse_series.Changes(None, snapshot.data, query, query, compared)
    before_query = query
    if selection.providers:
        versions = [v for v in catalog.published.members(before) if v.provider_id in selection.providers]
        files = tuple(catalog.published.member_file(before, v) for v in versions)
        if not files:
            return warehouse_series.Changes(None, snapshot.data, query, query, compared)
        before_query = replace(query, within=files)
    path = catalog.published.release_file(before)
    assert isinstance(snapshot.data, Path)  # the published release in force (drafts keep whole answers)
    held = set(catalog.published.reader.columns(path)) & set(catalog.published.reader.columns(snapshot.data))
    compared = tuple(c for c in compared if c in held)
    return warehouse_series.Changes(path, snapshot.data, before_query, query, compared)


def observation_stream(
    catalog: Catalog,
    dataflow_id: str,
    selection: ObservationSelection,
    columns: Sequence[str] | None = None,
    batch_rows: int = 65_536,
    drafts: DraftSource | None = None,
    optional: Sequence[str] = (),
) -> ObservationStream:
    """The selected observations of the release in force (with the drafts ``drafts`` reads), as Arrow batches;
    ``optional`` columns (``LAST_UPDATED``) follow the others when the data hold them. ``columns`` may name
    computed attributes (``DECIMALS``): they are added to what is read (``pivgm.catalog.decimals``).

    Raises ``NotFoundError`` when the dataflow has no release (nor draft to read), the data were published
    before ``updated_after``, or nothing matches (checked before the first batch is handed out, so a
    streamed answer never starts for an empty result).
    """
    dataflow = catalog.standard.dataflow(dataflow_id)
    snapshot = _snapshot(catalog, dataflow, selection.providers, drafts)
    _check_updated(snapshot, dataflow_id, selection.updated_after)
    held = warehouse_series.snapshot_columns(catalog.published.reader, snapshot.data) if optional else frozenset()
    selected = [*(columns or dataflow.structure.published_column_ids), *(c for c in optional if c in held)]
    query = _series_query(dataflow, selection, stored_columns(dataflow, selected), list(snapshot.within))
    reader = catalog.published.reader
    if selection.updated_after is not None and drafts is None and not selection.distinct:
        changes = _changes(catalog, dataflow, selection, query, snapshot, selection.updated_after)
        stream = warehouse_series.stream_changes(reader, changes, batch_rows)
        empty = f"No observations of {dataflow_id} that match the query changed since {selection.updated_after}."
    else:
        stream = warehouse_series.stream_observations(reader, snapshot.data, query, batch_rows)
        empty = f"No observations of {dataflow_id} match the query."
    batches = with_computed(dataflow, selected, iter(stream))
    first = next((b for b in batches if b.num_rows), None)
    if first is None:
        raise NotFoundError(empty, dataflow=dataflow_id)
    return ObservationStream(dataflow, snapshot.release, snapshot.providers, chain([first], batches), snapshot.drafts)


def codes_with_data(
    catalog: Catalog,
    dataflow_id: str,
    selection: ObservationSelection,
    components: Sequence[str],
    drop_own_filter: bool = False,
    drafts: DraftSource | None = None,
) -> CodesWithData:
    """For each of ``components``, the codes the selection has data for, with counts (drafts of
    ``drafts`` included as in ``observation_stream``).

    ``drop_own_filter`` answers "which codes could I add": each component is counted under the other
    components' filters only (availability mode ``available``).
    """
    dataflow = catalog.standard.dataflow(dataflow_id)
    snapshot = _snapshot(catalog, dataflow, selection.providers, drafts)
    within, path = list(snapshot.within), snapshot.data
    reader = catalog.published.reader
    codes: dict[str, dict[str, int]] = {}
    for component in components:
        filters = dict(selection.filters)
        any_of = selection.any_of
        if drop_own_filter:
            filters.pop(component, None)
            any_of = tuple({d: c for d, c in key.items() if d != component} for key in any_of)
        own = ObservationSelection(filters=filters, start=selection.start, end=selection.end, any_of=any_of)
        query = _series_query(dataflow, own, (), within)
        codes[component] = warehouse_series.code_counts(reader, path, component, query)
    query = _series_query(dataflow, selection, (), within)
    start, end, observations = warehouse_series.period_range(reader, path, dataflow.structure.time_dimension, query)
    return CodesWithData(dataflow, codes, start, end, observations, snapshot.drafts)


def data_providers(catalog: Catalog) -> list[tuple[str, str, str]]:
    """Every provider this instance has published data from: id, Spanish and English names."""
    return [(p.id, p.name_es, p.name_en) for p in catalog.published.providers()]
