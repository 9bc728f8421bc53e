"""What SDMX writers format: messages built by the service, free of any syntax (XML, JSON, CSV)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar

import pyarrow as pa

from pivgm.model import (
    Codelist,
    ConceptScheme,
    Dataflow,
    DataStructure,
    Hierarchy,
    HierarchyAssociation,
    LocalizedText,
)
from pivgm.sdmx.query import TIME_AT_OBSERVATION, DataDetail

SENDER = "PIVGM"
M = TypeVar("M")


@dataclass(frozen=True)
class Header:
    id: str
    prepared: datetime
    sender: str = SENDER
    language: str = "en"  # of texts given in one language only (SDMX-JSON ``name``); names are in es and en

    @classmethod
    def new(cls) -> Header:
        return cls(id=f"IREF{uuid.uuid4().hex[:12].upper()}", prepared=datetime.now(UTC).replace(microsecond=0))

    @property
    def prepared_text(self) -> str:
        return self.prepared.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DataProvider:
    id: str
    name: LocalizedText


@dataclass(frozen=True)
class DataProviderScheme:
    """The providers whose data this instance publishes (SDMX ``DATA_PROVIDERS`` scheme)."""

    agency: str
    providers: tuple[DataProvider, ...]
    id: str = "DATA_PROVIDERS"
    version: str = "1.0"
    name: LocalizedText = field(
        default_factory=lambda: LocalizedText({"es": "Proveedores de datos", "en": "Data providers"})
    )

    @property
    def urn(self) -> str:
        return f"urn:sdmx:org.sdmx.infomodel.base.DataProviderScheme={self.agency}:{self.id}({self.version})"


Artefact = Dataflow | DataStructure | Codelist | ConceptScheme | DataProviderScheme | Hierarchy | HierarchyAssociation


def concept_scheme_urn(scheme: ConceptScheme) -> str:
    return f"urn:sdmx:org.sdmx.infomodel.conceptscheme.ConceptScheme={scheme.agency}:{scheme.id}({scheme.version})"


def code_urn(codelist: Codelist, code_id: str) -> str:
    return f"{codelist.urn.replace('.Codelist=', '.Code=')}.{code_id}"


def hierarchy_urns(hierarchy: Hierarchy) -> tuple[str, str]:
    """The SDMX 2.1 URNs of the hierarchical codelist holding ``hierarchy``, and of the hierarchy in it."""
    ident = f"{hierarchy.agency}:{hierarchy.id}({hierarchy.version})"
    base = "urn:sdmx:org.sdmx.infomodel.codelist"
    return f"{base}.HierarchicalCodelist={ident}", f"{base}.Hierarchy={ident}.{hierarchy.id}"


def urn_of(artefact: Artefact) -> str:
    if isinstance(artefact, ConceptScheme):
        return concept_scheme_urn(artefact)
    return artefact.urn


class Stub:
    """How much of an artefact a structure message carries (``detail``)."""

    FULL = "full"
    STUB = "stub"
    COMPLETE = "complete"


@dataclass(frozen=True)
class CubeRegion:
    """Codes with data per dimension, and the period range, of a dataflow (an actual content constraint)."""

    dataflow: Dataflow
    codes: Mapping[str, tuple[str, ...]]
    start: str | None
    end: str | None
    observations: int


@dataclass(frozen=True)
class StructureMessage:
    """Artefacts in SDMX order, how much of each to write, and the items kept in partial schemes.

    ``concepts`` is the scheme the structures' components refer to (written or not).
    """

    header: Header
    dataflows: tuple[Dataflow, ...] = ()
    structures: tuple[DataStructure, ...] = ()
    codelists: tuple[Codelist, ...] = ()
    concept_schemes: tuple[ConceptScheme, ...] = ()
    provider_schemes: tuple[DataProviderScheme, ...] = ()
    hierarchies: tuple[Hierarchy, ...] = ()
    associations: tuple[HierarchyAssociation, ...] = ()  # SDMX 3.0 only (``StructureQuery.associations``)
    constraints: tuple[CubeRegion, ...] = ()
    concepts: ConceptScheme | None = None
    detail: Mapping[str, str] = field(default_factory=dict)
    partial: Mapping[str, frozenset[str]] = field(default_factory=dict)
    drafts: tuple[str, ...] = ()  # providers whose unpublished data a constraint counted (includeDrafts)
    not_displayed: Mapping[str, str] = field(default_factory=dict)  # dataflow id -> NOT_DISPLAYED title

    def detail_of(self, artefact: Artefact) -> str:
        return self.detail.get(urn_of(artefact), Stub.FULL)

    def items_of(self, artefact: Codelist | ConceptScheme) -> frozenset[str] | None:
        return self.partial.get(urn_of(artefact))


@dataclass
class DataMessage:
    """Observations of one dataflow's release in force, in series order, as Arrow batches.

    Columns: the dimensions, ``TIME_PERIOD``, ``OBS_VALUE`` and the attributes (all strings but the
    value), minus what ``detail`` leaves out, then ``LAST_UPDATED`` when the query asked for it (``updated``)
    and the release holds it. Batches are sorted by the series key (every dimension but
    ``dimension_at_observation``) and then by the observation dimension.
    """

    header: Header
    dataflow: Dataflow
    batches: Iterable[pa.RecordBatch]
    detail: DataDetail = DataDetail.FULL
    dimension_at_observation: str = TIME_AT_OBSERVATION
    published_at: datetime | None = None
    providers: tuple[str, ...] = ()
    drafts: tuple[str, ...] = ()  # providers whose unpublished data replaced their published data

    @property
    def structure(self) -> DataStructure:
        return self.dataflow.structure

    @property
    def series_dimensions(self) -> tuple[str, ...]:
        """The dimensions (with TIME_PERIOD when it is not at the observation) that key a series."""
        at = self.dimension_at_observation
        dims = tuple(d for d in self.structure.dimension_ids if d != at)
        if at != TIME_AT_OBSERVATION:
            dims = (*dims, self.structure.time_dimension)
        return () if at == "AllDimensions" else dims

    @property
    def observation_dimensions(self) -> tuple[str, ...]:
        if self.dimension_at_observation == "AllDimensions":
            return (*self.structure.dimension_ids, self.structure.time_dimension)
        return (self.dimension_at_observation,)


@dataclass(frozen=True)
class SchemaMessage:
    """The structure-specific XML schema of a dataflow for one observation dimension."""

    dataflow: Dataflow
    dimension_at_observation: str
    context: str = "dataflow"  # or "datastructure": the schema of the dataflow's DSD, in the DSD's namespace
    concepts: ConceptScheme | None = None  # the scheme the components refer to, for schemas as structures

    @property
    def urn(self) -> str:
        """The URN of the artefact the schema is for (its namespace is made of it)."""
        return self.dataflow.structure.urn if self.context == "datastructure" else self.dataflow.urn


@dataclass(frozen=True)
class ErrorMessage:
    code: int
    status: int
    text: str


def in_language(message: M, language: str) -> M:
    """``message`` with its single-language texts in ``language`` (a message without a header is as is)."""
    header = getattr(message, "header", None)
    if not isinstance(header, Header) or header.language == language:
        return message
    return replace(message, header=replace(header, language=language))  # type: ignore[type-var]
