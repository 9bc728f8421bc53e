"""Answer structure queries from the standard: match artefacts, follow ``references``, apply ``detail``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from pivgm.model import Codelist, ConceptScheme, Dataflow, DataStructure, Hierarchy, HierarchyAssociation
from pivgm.sdmx.errors import NoResultsError, NotAcceptableError
from pivgm.sdmx.messages import (
    Artefact,
    DataProviderScheme,
    Header,
    StructureMessage,
    Stub,
    urn_of,
)
from pivgm.sdmx.query import StructureDetail, StructureQuery
from pivgm.structures import Standard

RESOURCE_OF: dict[type, str] = {
    Dataflow: "dataflow",
    DataStructure: "datastructure",
    Codelist: "codelist",
    ConceptScheme: "conceptscheme",
    DataProviderScheme: "dataproviderscheme",
    Hierarchy: "hierarchy",
    HierarchyAssociation: "hierarchyassociation",
}
ALIASES = {"hierarchicalcodelist": "hierarchy"}  # SDMX 2.1's name for the same artefacts
STUB_DETAIL = {
    StructureDetail.ALLSTUBS: Stub.STUB,
    StructureDetail.REFERENCESTUBS: Stub.STUB,
    StructureDetail.ALLCOMPLETESTUBS: Stub.COMPLETE,
    StructureDetail.REFERENCECOMPLETESTUBS: Stub.COMPLETE,
}


@dataclass(frozen=True)
class Universe:
    """Every artefact this service holds, and the links between them."""

    standard: Standard
    providers: DataProviderScheme
    associations: bool = False  # SDMX 3.0 hierarchy associations are artefacts (and links) of this answer

    def artefacts(self) -> list[Artefact]:
        dataflows = list(self.standard.dataflows.values())
        return [
            *dataflows,
            *(d.structure for d in dataflows),
            *self.standard.codelists.values(),
            self.standard.concepts,
            self.providers,
            *self.standard.hierarchies.values(),
            *(self.standard.associations.values() if self.associations else ()),
        ]

    def children(self, artefact: Artefact) -> list[Artefact]:
        if isinstance(artefact, Dataflow):
            return [artefact.structure]
        if isinstance(artefact, DataStructure):
            return [*artefact.codelists(), self.standard.concepts]
        if isinstance(artefact, Hierarchy):
            return [artefact.codelist]
        if isinstance(artefact, HierarchyAssociation):
            return [artefact.hierarchy, artefact.dataflow]
        return []

    def parents(self, artefact: Artefact) -> list[Artefact]:
        structures = [d.structure for d in self.standard.dataflows.values()]
        if isinstance(artefact, DataStructure):
            return [d for d in self.standard.dataflows.values() if d.structure.id == artefact.id]
        if isinstance(artefact, Codelist):
            users = [s for s in structures if artefact.id in {c.id for c in s.codelists()}]
            return [*users, *(h for h in self.standard.hierarchies.values() if h.codelist.urn == artefact.urn)]
        if isinstance(artefact, ConceptScheme):
            return list(structures)
        if isinstance(artefact, Dataflow | Hierarchy) and self.associations:  # the associations that name it
            associations = self.standard.associations.values()
            return [a for a in associations if urn_of(artefact) in {a.hierarchy.urn, a.dataflow.urn}]
        return []


def _matches(artefact: Artefact, query: StructureQuery) -> bool:
    resource = RESOURCE_OF[type(artefact)]
    if ALIASES.get(query.resource, query.resource) not in {"structure", resource}:
        return False
    version_ok = query.version.values == ("latest",) or query.version.matches(artefact.version)
    return query.agency.matches(artefact.agency) and query.id.matches(artefact.id) and version_ok


def _closure(start: Iterable[Artefact], step: Callable[[Artefact], list[Artefact]]) -> list[Artefact]:
    found: dict[str, Artefact] = {}
    frontier = list(start)
    while frontier:
        following = []
        for artefact in frontier:
            for related in step(artefact):
                if urn_of(related) not in found:
                    found[urn_of(related)] = related
                    following.append(related)
        frontier = following
    return list(found.values())


def _referenced(universe: Universe, main: list[Artefact], references: str) -> list[Artefact]:
    children = [c for a in main for c in universe.children(a)]
    parents = [p for a in main for p in universe.parents(a)]
    siblings = [c for p in parents for c in universe.children(p)]
    by_scope: dict[str, Callable[[], list[Artefact]]] = {
        "none": list,
        "children": lambda: children,
        "descendants": lambda: _closure(main, universe.children),
        "parents": lambda: parents,
        "parentsandsiblings": lambda: parents + siblings,
        "all": lambda: parents + siblings + _closure(main, universe.children),
    }
    if references in by_scope:
        return by_scope[references]()
    everything = parents + siblings + _closure(main, universe.children)
    return [a for a in everything if RESOURCE_OF[type(a)] == ALIASES.get(references, references)]


def _detail(main: list[Artefact], referenced: list[Artefact], detail: StructureDetail) -> dict[str, str]:
    level = STUB_DETAIL.get(detail)
    if level is None:
        return {}
    targets = main + referenced if detail.value.startswith("all") else referenced
    main_urns = {urn_of(a) for a in main}
    return {urn_of(a): level for a in targets if detail.value.startswith("all") or urn_of(a) not in main_urns}


def _used_codes_by_codelist(
    dataflows: list[Dataflow], used_codes: Callable[[Dataflow], Mapping[str, frozenset[str]]]
) -> dict[str, set[str]]:
    """Codes with data, by codelist URN, over the dimensions of ``dataflows``."""
    codes: dict[str, set[str]] = {}
    for dataflow in dataflows:
        for component_id, component_codes in used_codes(dataflow).items():
            component = dataflow.structure.dimension(component_id)
            if component is not None and component.codelist is not None:
                codes.setdefault(component.codelist.urn, set()).update(component_codes)
    return codes


def _partial(
    main: list[Artefact],
    referenced: list[Artefact],
    query: StructureQuery,
    used_codes: Callable[[Dataflow], Mapping[str, frozenset[str]]],
) -> dict[str, frozenset[str]]:
    """Items to keep per item scheme: the queried items, and with ``referencepartial`` the concepts the
    structures use and the codes the dataflows have data for (and those of the hierarchies the message holds)."""
    partial: dict[str, frozenset[str]] = {}
    if query.items.values is not None:
        for artefact in main:
            if isinstance(artefact, Codelist | ConceptScheme):
                partial[urn_of(artefact)] = frozenset(query.items.values)
    if query.detail is not StructureDetail.REFERENCEPARTIAL:
        return partial
    dataflows = [a for a in main if isinstance(a, Dataflow)]
    structures = [a for a in main if isinstance(a, DataStructure)] + [d.structure for d in dataflows]
    concepts = frozenset(c for s in structures for c in s.published_column_ids)
    codes = _used_codes_by_codelist(dataflows, used_codes)
    for hierarchy in (a for a in [*main, *referenced] if isinstance(a, Hierarchy)):  # a tree needs its codes
        if hierarchy.codelist.urn in codes:
            codes[hierarchy.codelist.urn].update(node.code for node in hierarchy.walk())
    for artefact in referenced:
        if isinstance(artefact, ConceptScheme) and structures:
            partial[urn_of(artefact)] = concepts
        elif isinstance(artefact, Codelist) and artefact.urn in codes:
            partial[artefact.urn] = frozenset(codes[artefact.urn])
    return partial


def _by_type(artefacts: Iterable[Artefact]) -> dict[type, list[Artefact]]:
    grouped: dict[type, dict[str, Artefact]] = {t: {} for t in RESOURCE_OF}
    for artefact in artefacts:
        grouped[type(artefact)].setdefault(urn_of(artefact), artefact)
    return {t: sorted(v.values(), key=lambda a: a.id) for t, v in grouped.items()}


def answer_structure_query(
    universe: Universe,
    query: StructureQuery,
    used_codes: Callable[[Dataflow], Mapping[str, frozenset[str]]],
) -> StructureMessage:
    """The structure message for ``query``; raises ``NoResultsError`` when nothing matches, and
    ``NotAcceptableError`` for hierarchy associations asked in a format without them."""
    if ALIASES.get(query.resource, query.resource) == "hierarchyassociation" and not query.associations:
        raise NotAcceptableError(
            "Hierarchy associations are SDMX 3.0 artefacts: ask for SDMX-ML 3.0 "
            "(application/vnd.sdmx.structure+xml;version=3.0.0) or SDMX-JSON 2.0 "
            "(application/vnd.sdmx.structure+json;version=2.0.0)."
        )
    universe = replace(universe, associations=query.associations)
    main = [a for a in universe.artefacts() if _matches(a, query)]
    if not main:
        raise NoResultsError(
            f"No {query.resource} matches agency {_text(query.agency.values)}, id "
            f"{_text(query.id.values)}, version {_text(query.version.values)}. "
            "List them with /sdmx/rest/" + (query.resource if query.resource != "structure" else "dataflow"),
            resource=query.resource,
        )
    if query.items.values is not None:
        _check_items(main, query.items.values)
    referenced = _referenced(universe, main, query.references)
    grouped = _by_type([*main, *referenced])
    return StructureMessage(
        header=Header.new(),
        dataflows=tuple(grouped[Dataflow]),  # type: ignore[arg-type]
        structures=tuple(grouped[DataStructure]),  # type: ignore[arg-type]
        codelists=tuple(grouped[Codelist]),  # type: ignore[arg-type]
        concept_schemes=tuple(grouped[ConceptScheme]),  # type: ignore[arg-type]
        provider_schemes=tuple(grouped[DataProviderScheme]),  # type: ignore[arg-type]
        hierarchies=tuple(grouped[Hierarchy]),  # type: ignore[arg-type]
        associations=tuple(grouped[HierarchyAssociation]),  # type: ignore[arg-type]
        concepts=universe.standard.concepts,
        detail=_detail(main, referenced, query.detail),
        partial=_partial(main, referenced, query, used_codes),
        not_displayed=not_displayed(grouped[Dataflow], used_codes),  # type: ignore[arg-type]
    )


def not_displayed(
    dataflows: Sequence[Dataflow], used_codes: Callable[[Dataflow], Mapping[str, frozenset[str]]]
) -> dict[str, str]:
    """The ``NOT_DISPLAYED`` annotation title of each dataflow with data (the .Stat Data Explorer convention):
    its dimensions whose data hold one code only (``FREQ,SEX``), which a table or chart need not show."""
    found = {}
    for dataflow in dataflows:
        used = used_codes(dataflow)
        single = [d for d in dataflow.structure.dimension_ids if len(used.get(d, ())) == 1]
        if single:
            found[dataflow.id] = ",".join(single)
    return found


def _check_items(main: list[Artefact], items: tuple[str, ...]) -> None:
    schemes = [a for a in main if isinstance(a, Codelist | ConceptScheme)]
    known = {c.id for s in schemes for c in (s.codes if isinstance(s, Codelist) else s.concepts)}
    if not schemes or not known & set(items):
        raise NoResultsError(f"No item {'+'.join(items)} in the matching item schemes.")


def _text(values: tuple[str, ...] | None) -> str:
    return "+".join(values) if values else "any"
