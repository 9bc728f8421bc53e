"""Answer SDMX REST queries: structures from the standard, data and availability from the catalog of
published releases. One call (``answer``) per request; writers then format the message.

Data and availability with ``includeDrafts=true`` also read the asking national account's own unpublished
data (``pivgm.workflow.review.draft_providers`` and ``counts_as_draft``); anyone else is refused: 401 when
no national account's API token came with the request, 403 (audited) for a signed-in user without a
national role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import singledispatchmethod

from pivgm.accounts.actor import ANONYMOUS, Actor
from pivgm.accounts.audit import audit
from pivgm.catalog import Catalog
from pivgm.catalog.sdmx_data import ObservationSelection, codes_with_data, data_providers, observation_stream
from pivgm.errors import PermissionDeniedError
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
from pivgm.workflow.review import DRAFT_READERS, draft_providers

PERIOD_START = "TIME_PERIOD_START"

Message = StructureMessage | DataMessage | SchemaMessage


def _merge(filters: dict[str, list[str]], extra: Mapping[str, Sequence[str]], structure: DataStructure) -> None:
    """Add v2 component filters (``c[DIM]=``) to the key's, checking components and codes."""
    for component_id, codes in extra.items():
        component = structure.dimension(component_id) or structure.attribute(component_id)
        if component is None:
            raise QuerySyntaxError(
                f"c[{component_id}]: {structure.id} has no component {component_id!r}.", parameter=component_id
            )
        unknown = [c for c in codes if component.codelist is not None and c not in component.codelist]
        if unknown:
            raise NoResultsError(f"{unknown[0]!r} is not a code of {component_id}.")
        kept = [c for c in codes if c in filters[component_id]] if component_id in filters else list(codes)
        if not kept:
            raise NoResultsError(f"The key and c[{component_id}] select no common code.")
        filters[component_id] = kept


NEEDS_TOKEN = (
    "includeDrafts=true adds a national account's own unpublished data, so it needs that account's API token: "
    "send it as `Authorization: Bearer pivgm_...` (a national submitter or approver creates one at "
    "/account/tokens after signing in). Remove includeDrafts (or set includeDrafts=false) to read the "
    "published data, which need no token."
)


def _needs_national_role(actor: Actor) -> str:
    roles = " or ".join(role.value for role in DRAFT_READERS)
    return (
        f"includeDrafts=true adds a national account's own unpublished data, and {actor.username} holds no national "
        f"role ({roles} for a provider), so there are no drafts of theirs to add. Remove includeDrafts to read the "
        "published data; submissions under review are at /submissions and /api/submissions."
    )


class SdmxService:
    """The SDMX REST API's single entry point over the catalog, for one ``actor`` (who matters only to
    queries with ``includeDrafts=true``)."""

    def __init__(self, catalog: Catalog, actor: Actor = ANONYMOUS) -> None:
        self.catalog = catalog
        self.standard = catalog.platform.standard
        self.actor = actor

    def _drafts_of(self, query: DataQuery | AvailabilityQuery) -> frozenset[str]:
        """The providers whose unpublished data the answer adds: none unless asked; the actor's national
        providers if the actor may read them over SDMX (with an API token); otherwise 401 or 403, decided
        before anything else about the query."""
        if not query.include_drafts:
            return frozenset()
        actor = self.actor
        if actor.is_anonymous:
            raise UnauthorizedError(NEEDS_TOKEN, parameter="includeDrafts")
        providers = draft_providers(actor)
        if not providers:
            audit(
                self.catalog.platform,
                actor,
                "permission.denied",
                f"dataflow:{query.flow.id}",
                {"action": "read-drafts", "needs": [role.value for role in DRAFT_READERS]},
            )
            raise PermissionDeniedError(_needs_national_role(actor), parameter="includeDrafts")
        if not actor.via_token:
            raise UnauthorizedError(NEEDS_TOKEN, parameter="includeDrafts")
        return providers

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

    def _filters(self, dataflow: Dataflow, key: str, extra: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        filters = parse_key(key, dataflow.structure)
        _merge(filters, extra, dataflow.structure)
        return filters

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
        drafts_of = self._drafts_of(query)
        dataflow = self._dataflow(query.flow)
        structure = dataflow.structure
        filters = self._filters(dataflow, query.key, query.filters)
        keys_only = query.detail in {DataDetail.SERIESKEYSONLY, DataDetail.NODATA}
        at = _observation_dimension(query.dimension_at_observation, structure, keys_only)
        dimensions = structure.dimension_ids
        order: tuple[str, ...] = ()
        if at not in {TIME_AT_OBSERVATION, ALL_DIMENSIONS}:
            order = (*(d for d in dimensions if d != at), PERIOD_START, at)
        selection = ObservationSelection(
            filters=filters,
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
        columns = _columns(structure, query.detail)
        stream = observation_stream(self.catalog, dataflow.id, selection, columns, drafts_of=drafts_of)
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
        drafts_of = self._drafts_of(query)
        dataflow = self._dataflow(query.flow)
        structure = dataflow.structure
        filters = self._filters(dataflow, query.key, query.filters)
        components = list(structure.dimension_ids)
        if query.component is not None:
            if query.component not in {*components, structure.time_dimension}:
                raise QuerySyntaxError(
                    f"{query.component!r} is not a dimension of {dataflow.id}: use one of "
                    f"{', '.join(components)} or {structure.time_dimension}.",
                    parameter="componentID",
                )
            components = [c for c in components if c == query.component]
        selection = ObservationSelection(filters=filters, start=query.start, end=query.end, providers=query.providers)
        found = codes_with_data(
            self.catalog,
            dataflow.id,
            selection,
            components,
            drop_own_filter=query.mode is AvailabilityMode.AVAILABLE,
            drafts_of=drafts_of,
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
        dataflow = self._dataflow(query.flow)
        at = _observation_dimension(query.dimension_at_observation, dataflow.structure, False)
        return SchemaMessage(dataflow, at)


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


def _columns(structure: DataStructure, detail: DataDetail) -> list[str]:
    """The columns a detail level needs."""
    dimensions = list(structure.dimension_ids)
    if detail is DataDetail.SERIESKEYSONLY:
        return dimensions
    if detail is DataDetail.NODATA:
        kept = {AttributeAttachment.SERIES, AttributeAttachment.DATAFLOW}
        return dimensions + [a.id for a in structure.attributes if a.attachment in kept]
    observation = [*dimensions, structure.time_dimension, structure.measure.id]
    return observation if detail is DataDetail.DATAONLY else list(structure.column_ids)
