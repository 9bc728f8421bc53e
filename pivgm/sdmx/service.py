"""Answer SDMX REST queries: structures from the standard, data and availability from the catalog of
published releases. One call (``answer``) per request; writers then format the message.

Data and availability with ``includeDrafts=true`` also read the asking national account's own unpublished
data through the ``DraftSource`` the caller passes (``pivgm.workflow.draft_reading``, which refuses anyone
else); without one, only published releases are read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import singledispatchmethod

from pivgm.catalog import Catalog
from pivgm.catalog.sdmx_data import (
    DraftSource,
    ObservationSelection,
    codes_with_data,
    data_providers,
    observation_stream,
)
from pivgm.model import AttributeAttachment, Dataflow, DataStructure, LocalizedText
from pivgm.sdmx.errors import NoResultsError, QuerySyntaxError, UnauthorizedError
from pivgm.sdmx.keys import parse_key
from pivgm.sdmx.messages import (
    CubeRegion,
    DataMessage,
    DataProvider,
    DataProviderScheme,
    Header,
    SchemaMessage,
    StructureMessage,
)
from pivgm.sdmx.query import (
    ALL_DIMENSIONS,
    TIME_AT_OBSERVATION,
    AvailabilityMode,
    AvailabilityQuery,
    DataDetail,
    DataQuery,
    FlowRef,
    SchemaQuery,
    Selector,
    StructureDetail,
    StructureQuery,
)
from pivgm.sdmx.structures import Universe, answer_structure_query
from pivgm.warehouse.merge import LAST_UPDATED

PERIOD_START = "TIME_PERIOD_START"

Message = StructureMessage | DataMessage | SchemaMessage


def _merge(filters: dict[str, list[str]], extra: Mapping[str, Sequence[str]], structure: DataStructure) -> None:
    """Add v2 component filters (``c[DIM]=``) to the key's, checking components and codes."""
    for component_id, codes in extra.items():
        component = structure.dimension(component_id) or structure.attribute(component_id)
        if component is None and structure.published_attribute(component_id) is not None:
            raise QuerySyntaxError(
                f"c[{component_id}]: {component_id} is computed from each series' unit and cannot filter; "
                "filter on c[UNIT_MEASURE] instead.",
                parameter=component_id,
            )
        if component is None:
            raise QuerySyntaxError(
                f"c[{component_id}]: {structure.id} has no component {component_id!r}.", parameter=component_id
            )
        known = [c for c in codes if component.codelist is None or c in component.codelist]
        if not known:  # as in keys: unknown codes beside known ones select nothing more
            raise NoResultsError(f"{codes[0]!r} is not a code of {component_id}.")
        kept = [c for c in known if c in filters[component_id]] if component_id in filters else known
        if not kept:
            raise NoResultsError(f"The key and c[{component_id}] select no common code.")
        filters[component_id] = kept


@dataclass(frozen=True)
class Selected:
    """What a key and component filters select: codes per dimension, and for several keys, one per key."""

    filters: dict[str, list[str]]
    any_of: tuple[dict[str, list[str]], ...] = ()


def _known_keys(keys: Sequence[str], structure: DataStructure) -> list[dict[str, list[str]]]:
    """Each key's codes; keys with no known code are dropped, as unknown codes beside known ones are."""
    parsed: list[dict[str, list[str]]] = []
    missing: NoResultsError | None = None
    for key in keys:
        try:
            parsed.append(parse_key(key, structure))
        except NoResultsError as error:
            missing = error
    if not parsed and missing is not None:
        raise missing
    return parsed


class SdmxService:
    """The SDMX REST API's single entry point over the catalog; ``drafts`` (for ``includeDrafts=true`` only)
    reads a national account's drafts beside the published data."""

    def __init__(self, catalog: Catalog, drafts: DraftSource | None = None) -> None:
        self.catalog = catalog
        self.standard = catalog.standard
        self.drafts = drafts

    def _drafts_for(self, query: DataQuery | AvailabilityQuery) -> DraftSource | None:
        if query.include_drafts and self.drafts is None:
            raise UnauthorizedError(
                "includeDrafts=true needs a national account's API token.", parameter="includeDrafts"
            )
        return self.drafts if query.include_drafts else None

    @singledispatchmethod
    def answer(self, query: object) -> Message:
        raise TypeError(f"not an SDMX query: {query!r}")  # pragma: no cover

    def _dataflow(self, flow: FlowRef) -> Dataflow:
        dataflow = self.standard.dataflows.get(flow.id)
        if (
            dataflow is None
            or (flow.agency and flow.agency != dataflow.agency)
            or (flow.version and flow.version != dataflow.version)
        ):
            raise NoResultsError(f"There is no dataflow {flow}. The list is at /sdmx/rest/dataflow.", flow=str(flow))
        return dataflow

    def _filters(self, dataflow: Dataflow, key: str, extra: Mapping[str, Sequence[str]]) -> Selected:
        """Codes per dimension of the key (or, for several keys ``K1,K2``, of each: ``any_of``) and of the
        v2 component filters."""
        keys = [k for k in key.split(",") if k.strip()] or ["*"]
        if len(keys) == 1:
            filters = parse_key(keys[0], dataflow.structure)
            _merge(filters, extra, dataflow.structure)
            return Selected(filters)
        any_of = tuple(_known_keys(keys, dataflow.structure))
        components: dict[str, list[str]] = {}
        _merge(components, extra, dataflow.structure)
        return Selected(components, any_of)

    def _universe(self) -> Universe:
        providers = tuple(
            DataProvider(id_, LocalizedText({"es": name_es, "en": name_en}))
            for id_, name_es, name_en in data_providers(self.catalog)
        )
        return Universe(self.standard, DataProviderScheme(self.standard.agency, providers))

    def _used_codes(self, dataflow: Dataflow) -> dict[str, frozenset[str]]:
        counts = self.catalog.code_counts(dataflow.id)
        return {dimension: frozenset(c for c, n in codes.items() if n) for dimension, codes in counts.items()}

    @answer.register
    def _structure(self, query: StructureQuery) -> StructureMessage:
        return answer_structure_query(self._universe(), query, self._used_codes)

    @answer.register
    def _data(self, query: DataQuery) -> DataMessage:
        drafts = self._drafts_for(query)
        dataflow = self._dataflow(query.flow)
        if query.updated_after is not None and (query.first_n or query.last_n):
            raise QuerySyntaxError(
                "updatedAfter answers the observations changed since then; it cannot be combined with "
                "firstNObservations or lastNObservations.",
                parameter="updatedAfter",
            )
        structure = dataflow.structure
        selected = self._filters(dataflow, query.key, query.filters)
        keys_only = query.detail in {DataDetail.SERIESKEYSONLY, DataDetail.NODATA}
        at = _observation_dimension(query.dimension_at_observation, structure, keys_only)
        dimensions = structure.dimension_ids
        order: tuple[str, ...] = ()
        if at not in {TIME_AT_OBSERVATION, ALL_DIMENSIONS}:
            order = (*(d for d in dimensions if d != at), PERIOD_START, at)
        selection = ObservationSelection(
            filters=selected.filters,
            any_of=selected.any_of,
            start=query.start,
            end=query.end,
            providers=query.providers,
            updated_after=query.updated_after,
            first_n=query.first_n,
            last_n=query.last_n,
            series=dimensions,
            order=order,
            distinct=keys_only,
        )
        columns = _columns(structure, query.detail, query.attributes)
        optional = (LAST_UPDATED,) if query.updated and not keys_only else ()
        stream = observation_stream(self.catalog, dataflow.id, selection, columns, drafts=drafts, optional=optional)
        return DataMessage(
            header=Header.new(),
            dataflow=dataflow,
            batches=stream.batches,
            detail=query.detail,
            dimension_at_observation=at,
            published_at=stream.release.published_at if stream.release else None,
            providers=stream.providers,
            drafts=stream.drafts,
        )

    @answer.register
    def _availability(self, query: AvailabilityQuery) -> StructureMessage:
        drafts = self._drafts_for(query)
        dataflow = self._dataflow(query.flow)
        structure = dataflow.structure
        selected = self._filters(dataflow, query.key, query.filters)
        components = list(structure.dimension_ids)
        if query.component is not None:
            if query.component not in {*components, structure.time_dimension}:
                raise QuerySyntaxError(
                    f"{query.component!r} is not a dimension of {dataflow.id}: use one of "
                    f"{', '.join(components)} or {structure.time_dimension}.",
                    parameter="componentID",
                )
            components = [c for c in components if c == query.component]
        selection = ObservationSelection(
            filters=selected.filters,
            any_of=selected.any_of,
            start=query.start,
            end=query.end,
            providers=query.providers,
        )
        found = codes_with_data(
            self.catalog,
            dataflow.id,
            selection,
            components,
            drop_own_filter=query.mode is AvailabilityMode.AVAILABLE,
            drafts=drafts,
        )
        if not found.observations:
            raise NoResultsError(f"No data of {dataflow.id} match the query.", dataflow=dataflow.id)
        region = CubeRegion(
            dataflow=dataflow,
            codes={c: tuple(sorted(found.codes[c])) for c in components},
            start=found.start,
            end=found.end,
            observations=found.observations,
        )
        if query.references == "none":
            return StructureMessage(
                header=Header.new(), constraints=(region,), concepts=self.standard.concepts, drafts=found.drafts
            )
        structures = answer_structure_query(
            self._universe(),
            StructureQuery(
                resource="dataflow",
                agency=Selector((dataflow.agency,)),
                id=Selector((dataflow.id,)),
                references="descendants" if query.references == "all" else query.references,
                detail=StructureDetail.REFERENCEPARTIAL,
            ),
            lambda _: {c: frozenset(codes) for c, codes in region.codes.items()},
        )
        return StructureMessage(
            header=structures.header,
            dataflows=structures.dataflows,
            structures=structures.structures,
            codelists=structures.codelists,
            concept_schemes=structures.concept_schemes,
            constraints=(region,),
            concepts=structures.concepts,
            detail=structures.detail,
            partial=structures.partial,
            drafts=found.drafts,
        )

    @answer.register
    def _schema(self, query: SchemaQuery) -> SchemaMessage:
        dataflow = self._structure_user(query.flow) if query.context == "datastructure" else self._dataflow(query.flow)
        at = _observation_dimension(query.dimension_at_observation, dataflow.structure, False)
        return SchemaMessage(dataflow, at, query.context, self.standard.concepts)

    def _structure_user(self, ref: FlowRef) -> Dataflow:
        """A dataflow of the data structure ``ref`` names (its schema is the structure's)."""
        for dataflow in self.standard.dataflows.values():
            structure = dataflow.structure
            if (
                structure.id == ref.id
                and ref.agency in {None, structure.agency}
                and ref.version in {None, structure.version}
            ):
                return dataflow
        raise NoResultsError(
            f"There is no data structure {ref}. The list is at /sdmx/rest/datastructure.", structure=str(ref)
        )


def _observation_dimension(requested: str, structure: DataStructure, keys_only: bool) -> str:
    """The observation dimension: TIME_PERIOD, AllDimensions or a dimension. Series keys without
    observations (``serieskeysonly``, ``nodata``) are time series keys whatever was asked."""
    valid = {TIME_AT_OBSERVATION, ALL_DIMENSIONS, *structure.dimension_ids}
    if requested not in valid:
        raise QuerySyntaxError(
            f"dimensionAtObservation={requested!r}: {structure.id} has no such dimension; use TIME_PERIOD, "
            f"AllDimensions or one of {', '.join(structure.dimension_ids)}.",
            parameter="dimensionAtObservation",
        )
    return TIME_AT_OBSERVATION if keys_only else requested


LEVELS = {
    "dataset": AttributeAttachment.DATAFLOW,
    "series": AttributeAttachment.SERIES,
    "obs": AttributeAttachment.OBSERVATION,
}


def _columns(structure: DataStructure, detail: DataDetail, attributes: Sequence[str] | None = None) -> list[str]:
    """The columns a detail level needs, with only the ``attributes`` asked for (v2) if any were named."""
    dimensions = list(structure.dimension_ids)
    if detail is DataDetail.SERIESKEYSONLY:
        return dimensions
    if detail is DataDetail.NODATA:
        kept = {AttributeAttachment.SERIES, AttributeAttachment.DATAFLOW}
        return dimensions + [a.id for a in structure.published_attributes if a.attachment in kept]
    observation = [*dimensions, structure.time_dimension, structure.measure.id]
    if detail is DataDetail.DATAONLY:
        return observation
    if attributes is None:
        return list(structure.published_column_ids)
    return observation + _chosen_attributes(structure, attributes)


def _chosen_attributes(structure: DataStructure, asked: Sequence[str]) -> list[str]:
    """The attribute ids ``attributes=`` names: one attachment level, or ids of the DSD (else a 400)."""
    if len(asked) == 1 and asked[0] in LEVELS:
        return [a.id for a in structure.published_attributes if a.attachment is LEVELS[asked[0]]]
    known = {a.id for a in structure.published_attributes}
    unknown = [a for a in asked if a not in known]
    if unknown:
        raise QuerySyntaxError(
            f"attributes={','.join(asked)}: {structure.id} has no attribute {unknown[0]!r}; name some of "
            f"{', '.join(sorted(known))}, or use dsd, all, none, dataset, series or obs.",
            parameter="attributes",
        )
    return [a.id for a in structure.published_attributes if a.id in asked]
