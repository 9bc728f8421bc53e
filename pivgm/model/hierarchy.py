"""Hierarchies of codes (SDMX ``Hierarchy``, in SDMX 2.1 the one hierarchy of a ``HierarchicalCodelist``):
groupings of a codelist's codes into a tree, such as the regions of the Americas and their countries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pivgm.model.structure import Codelist, Dataflow, LocalizedText, empty_text


@dataclass(frozen=True)
class HierarchicalCode:
    """A code of the hierarchy's codelist, with the codes it groups."""

    code: str
    children: tuple[HierarchicalCode, ...] = ()

    def walk(self) -> Iterator[HierarchicalCode]:
        """This code and every code below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> tuple[str, ...]:
        """The codes below this one that group nothing (for a region: its countries)."""
        return tuple(node.code for node in self.walk() if not node.children and node is not self)


@dataclass(frozen=True)
class Hierarchy:
    """A tree over the codes of one codelist, maintained and versioned like the codelist."""

    id: str
    agency: str
    version: str
    name: LocalizedText
    codelist: Codelist
    codes: tuple[HierarchicalCode, ...]
    description: LocalizedText = field(default_factory=empty_text)

    @property
    def urn(self) -> str:
        return f"urn:sdmx:org.sdmx.infomodel.codelist.Hierarchy={self.agency}:{self.id}({self.version})"

    def walk(self) -> Iterator[HierarchicalCode]:
        for root in self.codes:
            yield from root.walk()

    def groups(self) -> list[HierarchicalCode]:
        """The codes that group others, from the top down."""
        return [node for node in self.walk() if node.children]


@dataclass(frozen=True)
class HierarchyAssociation:
    """SDMX 3.0: a hierarchy linked to a dimension of a data structure in the context of a dataflow (the regions
    of the Americas over a dataflow's reporting areas), which tells a client the tree the dimension's codes sit
    in. The hierarchy holds every code the dimension may take in that dataflow."""

    id: str
    agency: str
    version: str
    name: LocalizedText
    hierarchy: Hierarchy
    dataflow: Dataflow
    dimension: str

    @property
    def urn(self) -> str:
        return f"urn:sdmx:org.sdmx.infomodel.codelist.HierarchyAssociation={self.agency}:{self.id}({self.version})"

    @property
    def linked_object(self) -> str:
        """The URN of the dimension the hierarchy is linked to."""
        structure = self.dataflow.structure
        return (
            "urn:sdmx:org.sdmx.infomodel.datastructure.Dimension="
            f"{structure.agency}:{structure.id}({structure.version}).{self.dimension}"
        )
