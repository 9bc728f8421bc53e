"""Published observations for the SDMX API: streamed selections, codes with data, data providers.

Like ``Catalog``, these read release handles only (and, to select by provider, the version files that
make up the release in force), so unpublished data cannot reach SDMX clients.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from pathlib import Path

import pyarrow as pa

from pivgm.catalog.service import Catalog
from pivgm.errors import NotFoundError
from pivgm.model import Dataflow
from pivgm.records import ReleaseInfo
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
    updated_after: datetime | None = None
    first_n: int | None = None
    last_n: int | None = None
    series: Sequence[str] = ()
    order: Sequence[str] = ()
    distinct: bool = False


@dataclass
class ObservationStream:
    dataflow: Dataflow
    release: ReleaseInfo
    providers: tuple[str, ...]
    batches: Iterator[pa.RecordBatch]


@dataclass(frozen=True)
class CodesWithData:
    """Per dimension, the codes that have data and their observation counts; the period range."""

    dataflow: Dataflow
    codes: Mapping[str, Mapping[str, int]]
    start: str | None
    end: str | None
    observations: int


def _release(catalog: Catalog, dataflow: Dataflow) -> ReleaseInfo:
    release = catalog.releases().get(dataflow.id)
    if release is None:
        raise NotFoundError(f"Dataflow {dataflow.id!r} has no published data yet.", dataflow=dataflow.id)
    return release


def _providers(catalog: Catalog, release: ReleaseInfo, wanted: Sequence[str]) -> tuple[tuple[str, ...], list[Path]]:
    """The release's providers, and the version files of the ``wanted`` ones (none wanted: no files)."""
    versions = catalog.platform.records.release_versions(release.id)
    providers = tuple(v.provider_id for v in versions)
    if not wanted:
        return providers, []
    unknown = [p for p in wanted if p not in providers]
    if len(unknown) == len(wanted):
        raise NotFoundError(
            f"No data from provider {'+'.join(wanted)} in {release.dataflow_id}; its providers are "
            f"{', '.join(providers)}.",
            provider="+".join(wanted),
        )
    files = [catalog.platform.warehouse.path(v.parquet_file) for v in versions if v.provider_id in wanted]
    return tuple(p for p in providers if p in wanted), files


def _series_query(
    dataflow: Dataflow, selection: ObservationSelection, columns: Sequence[str], within: list[Path]
) -> warehouse_series.SeriesQuery:
    structure = dataflow.structure
    return warehouse_series.SeriesQuery(
        query=DataQuery(filters=dict(selection.filters), start=selection.start, end=selection.end),
        columns=tuple(columns),
        series=tuple(selection.series),
        order=tuple(selection.order),
        first_n=selection.first_n,
        last_n=selection.last_n,
        within=tuple(within),
        key_columns=(*structure.dimension_ids, structure.time_dimension),
        distinct=selection.distinct,
    )


def observation_stream(
    catalog: Catalog,
    dataflow_id: str,
    selection: ObservationSelection,
    columns: Sequence[str] | None = None,
    batch_rows: int = 65_536,
) -> ObservationStream:
    """The selected observations of the release in force, as Arrow batches.

    Raises ``NotFoundError`` when the dataflow has no release, the release was published before
    ``updated_after``, or nothing matches (checked before the first batch is handed out, so a streamed
    answer never starts for an empty result).
    """
    dataflow = catalog.platform.standard.dataflow(dataflow_id)
    release = _release(catalog, dataflow)
    if selection.updated_after is not None and release.published_at <= selection.updated_after:
        raise NotFoundError(
            f"No changes to {dataflow_id} since {selection.updated_after.isoformat()}: its release in force "
            f"was published at {release.published_at.isoformat()}.",
            dataflow=dataflow_id,
        )
    providers, within = _providers(catalog, release, selection.providers)
    query = _series_query(dataflow, selection, columns or dataflow.structure.column_ids, within)
    path = catalog.platform.warehouse.path(release.parquet_file)
    reader = warehouse_series.stream_observations(catalog.platform.reader, path, query, batch_rows)
    batches = iter(reader)
    first = next((b for b in batches if b.num_rows), None)
    if first is None:
        raise NotFoundError(f"No observations of {dataflow_id} match the query.", dataflow=dataflow_id)
    return ObservationStream(dataflow, release, providers, chain([first], batches))


def codes_with_data(
    catalog: Catalog,
    dataflow_id: str,
    selection: ObservationSelection,
    components: Sequence[str],
    drop_own_filter: bool = False,
) -> CodesWithData:
    """For each of ``components``, the codes the selection has data for, with counts.

    ``drop_own_filter`` answers "which codes could I add": each component is counted under the other
    components' filters only (availability mode ``available``).
    """
    dataflow = catalog.platform.standard.dataflow(dataflow_id)
    release = _release(catalog, dataflow)
    _, within = _providers(catalog, release, selection.providers)
    path = catalog.platform.warehouse.path(release.parquet_file)
    reader = catalog.platform.reader
    codes: dict[str, dict[str, int]] = {}
    for component in components:
        filters = dict(selection.filters)
        if drop_own_filter:
            filters.pop(component, None)
        own = ObservationSelection(filters=filters, start=selection.start, end=selection.end)
        query = _series_query(dataflow, own, (), within)
        codes[component] = warehouse_series.code_counts(reader, path, component, query)
    query = _series_query(dataflow, selection, (), within)
    start, end, observations = warehouse_series.period_range(reader, path, dataflow.structure.time_dimension, query)
    return CodesWithData(dataflow, codes, start, end, observations)


def data_providers(catalog: Catalog) -> list[tuple[str, str, str]]:
    """Every provider this instance has published data from: id, Spanish and English names."""
    return [(p.id, p.name_es, p.name_en) for p in catalog.platform.records.providers()]
