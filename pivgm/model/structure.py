"""SDMX-style structural metadata: codelists, concepts, data structures and dataflows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"


@dataclass(frozen=True)
class LocalizedText:
    """A text in several languages (SDMX ``InternationalString``); Spanish and English at least."""

    texts: Mapping[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))

    def __reduce__(self) -> tuple[type[LocalizedText], tuple[dict[str, str]]]:
        """Picklable (a mapping proxy is not): pages built in a child process carry codelists' names."""
        return LocalizedText, (dict(self.texts),)

    def get(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The text in ``language``, falling back to Spanish, then English, then any."""
        for candidate in (language, DEFAULT_LANGUAGE, "en"):
            if candidate in self.texts:
                return self.texts[candidate]
        return next(iter(self.texts.values()), "")

    def missing_languages(self) -> list[str]:
        return [lang for lang in LANGUAGES if not self.texts.get(lang, "").strip()]

    def to_dict(self) -> dict[str, str]:
        return dict(self.texts)

    def __str__(self) -> str:
        return self.get()


def empty_text() -> LocalizedText:
    return LocalizedText({})


@dataclass(frozen=True)
class Code:
    """One code of a codelist; ``members`` lists the codes a grouping (e.g. a region) stands for."""

    id: str
    name: LocalizedText
    description: LocalizedText = field(default_factory=empty_text)
    parent: str | None = None
    members: tuple[str, ...] = ()
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Codelist:
    """An enumeration of codes, maintained by an agency and versioned."""

    id: str
    agency: str
    version: str
    name: LocalizedText
    codes: tuple[Code, ...]
    description: LocalizedText = field(default_factory=empty_text)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {code.id: code for code in self.codes})

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._index  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code_id: str) -> Code | None:
        return self._index.get(code_id)  # type: ignore[attr-defined]

    def ids(self) -> frozenset[str]:
        return frozenset(self._index)  # type: ignore[attr-defined]

    @property
    def urn(self) -> str:
        return f"urn:sdmx:org.sdmx.infomodel.codelist.Codelist={self.agency}:{self.id}({self.version})"


@dataclass(frozen=True)
class Concept:
    id: str
    name: LocalizedText
    description: LocalizedText = field(default_factory=empty_text)


@dataclass(frozen=True)
class ConceptScheme:
    id: str
    agency: str
    version: str
    name: LocalizedText
    concepts: tuple[Concept, ...]

    def get(self, concept_id: str) -> Concept | None:
        return next((c for c in self.concepts if c.id == concept_id), None)


@dataclass(frozen=True)
class Dimension:
    """A dimension of a data structure; coded unless ``codelist`` is None (free text, e.g. an incident id).

    ``name`` is the concept's name as used in this structure (``REF_AREA`` is the "country of destination" in
    the migrant stock and the "country of asylum" for refugees).
    """

    id: str
    position: int
    name: LocalizedText
    codelist: Codelist | None
    description: LocalizedText = field(default_factory=empty_text)


class AttributeAttachment(StrEnum):
    """Where an attribute's value is attached (SDMX attribute relationship)."""

    DATAFLOW = "dataflow"
    SERIES = "series"
    OBSERVATION = "observation"


@dataclass(frozen=True)
class Attribute:
    """An attribute of a data structure; a ``computed`` one (DECIMALS) is never stored: it is derived on read
    from the dataflow's metadata, so every release carries it."""

    id: str
    name: LocalizedText
    codelist: Codelist | None
    attachment: AttributeAttachment
    mandatory: bool = False
    computed: bool = False


@dataclass(frozen=True)
class Measure:
    id: str
    name: LocalizedText


@dataclass(frozen=True)
class DataStructure:
    """A data structure definition (DSD): dimensions in key order, then time, one measure, attributes.

    ``attributes`` are those the data hold (what submissions carry and releases store);
    ``published_attributes`` are those the DSD declares and published data carry, computed ones included,
    in the DSD's order (empty: the stored ones).
    """

    id: str
    agency: str
    version: str
    name: LocalizedText
    dimensions: tuple[Dimension, ...]
    time_dimension: str
    measure: Measure
    attributes: tuple[Attribute, ...]
    published_attributes: tuple[Attribute, ...] = ()

    def __post_init__(self) -> None:
        if not self.published_attributes:
            object.__setattr__(self, "published_attributes", self.attributes)

    def dimension(self, dimension_id: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    def attribute(self, attribute_id: str) -> Attribute | None:
        return next((a for a in self.attributes if a.id == attribute_id), None)

    def published_attribute(self, attribute_id: str) -> Attribute | None:
        return next((a for a in self.published_attributes if a.id == attribute_id), None)

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    @property
    def attribute_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.attributes)

    @property
    def column_ids(self) -> tuple[str, ...]:
        """The columns of an observation table for this structure, in order."""
        return (*self.dimension_ids, self.time_dimension, self.measure.id, *self.attribute_ids)

    @property
    def published_column_ids(self) -> tuple[str, ...]:
        """The columns of published observations: the stored ones with the computed attributes in place."""
        attributes = (a.id for a in self.published_attributes)
        return (*self.dimension_ids, self.time_dimension, self.measure.id, *attributes)

    def codelists(self) -> tuple[Codelist, ...]:
        seen: dict[str, Codelist] = {}
        components: tuple[Dimension | Attribute, ...] = (*self.dimensions, *self.published_attributes)
        for component in components:
            if component.codelist is not None:
                seen.setdefault(component.codelist.id, component.codelist)
        return tuple(seen.values())

    @property
    def urn(self) -> str:
        return f"urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={self.agency}:{self.id}({self.version})"


@dataclass(frozen=True)
class ReferenceMetadata:
    """What a user needs beside the numbers: definition, source, coverage, methodology, caveats."""

    definition: LocalizedText
    source: LocalizedText
    coverage: LocalizedText
    methodology: LocalizedText
    comparability: LocalizedText
    source_url: str = ""
    licence: LocalizedText = field(default_factory=empty_text)  # in Spanish and English, like every text
    keywords: LocalizedText = field(default_factory=empty_text)


@dataclass(frozen=True)
class Dataflow:
    """A published statistical domain: a structure plus the metadata and defaults of its data."""

    id: str
    agency: str
    version: str
    name: LocalizedText
    description: LocalizedText
    theme: str
    structure: DataStructure
    metadata: ReferenceMetadata
    defaults: Mapping[str, str] = field(default_factory=dict)
    constraints: Mapping[str, frozenset[str]] = field(default_factory=dict)  # dimension -> the codes allowed
    decimals: Mapping[str, int] = field(default_factory=dict)  # unit of measure -> decimals published with

    def decimals_for(self, unit: str | None) -> int | None:
        """How many decimals a series in ``unit`` is published with (None: no unit, as a deleted key's)."""
        return None if unit is None else self.decimals.get(unit)

    @property
    def urn(self) -> str:
        return f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={self.agency}:{self.id}({self.version})"


@dataclass(frozen=True)
class DataProvider:
    """An agency that submits data, and the reference areas it may report for (none listed: any area,
    as for the international organisations, ``international``). ``four_eyes``: whoever submitted one of its
    files may not approve or publish it (on unless the provider's entry says otherwise)."""

    id: str
    name: LocalizedText
    countries: tuple[str, ...] = ()
    international: bool = False
    four_eyes: bool = True


@dataclass(frozen=True)
class SeriesKey:
    """The dimension values of a series, in DSD order (SDMX key ``M.MEX.GTM._T``)."""

    values: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return ".".join(value for _, value in self.values)

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)
