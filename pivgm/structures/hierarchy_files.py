"""Hierarchies (``hierarchies/<ID>.yaml``) as ``Hierarchy`` objects: each listed code's children are the codes
listed under it, then the members of its grouping code (e.g. a region's countries) that none of them holds; and
the hierarchy's ``associations`` with dataflows' dimensions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pivgm.errors import StructureError
from pivgm.model import Codelist, Dataflow, HierarchicalCode, Hierarchy, HierarchyAssociation, LocalizedText


def _node(raw: Mapping[str, Any], codelist: Codelist, where: str) -> HierarchicalCode:
    code = codelist.get(str(raw["code"]))
    if code is None:
        raise StructureError(f"{where}: code {raw['code']!r} is not in {codelist.id}.")
    listed = tuple(_node(child, codelist, where) for child in raw.get("children", ()))
    held = {node.code for child in listed for node in child.walk()}
    members = tuple(HierarchicalCode(member) for member in code.members if member not in held)
    return HierarchicalCode(code.id, listed + members)


def hierarchy(raw: Mapping[str, Any], codelists: Mapping[str, Codelist], where: str) -> Hierarchy:
    """The hierarchy ``raw`` describes; raises ``StructureError`` for an unknown codelist or code, or a code
    placed twice."""
    codelist = codelists.get(raw["codelist"])
    if codelist is None:
        raise StructureError(f"{where}: codelist {raw['codelist']!r} does not exist.")
    result = Hierarchy(
        id=raw["id"],
        agency=raw["agency"],
        version=str(raw["version"]),
        name=LocalizedText(raw["name"]),
        description=LocalizedText(raw.get("description") or {}),
        codelist=codelist,
        codes=tuple(_node(node, codelist, where) for node in raw["codes"]),
    )
    seen: set[str] = set()
    for node in result.walk():
        if node.code in seen:
            raise StructureError(f"{where}: code {node.code!r} is placed twice; a code has one place in a hierarchy.")
        seen.add(node.code)
    return result


def associations(
    raw: Mapping[str, Any], found: Hierarchy, dataflows: Mapping[str, Dataflow], where: str
) -> tuple[HierarchyAssociation, ...]:
    """The hierarchy's ``associations`` (dimension -> dataflows) as SDMX 3.0 hierarchy associations; raises
    ``StructureError`` for an unknown dataflow or dimension, a dimension coded by another codelist, or codes the
    dataflow allows that the hierarchy does not hold."""
    codes = {node.code for node in found.walk()}
    result = []
    for dimension_id, dataflow_ids in (raw.get("associations") or {}).items():
        for dataflow_id in dataflow_ids:
            dataflow = dataflows.get(dataflow_id)
            dimension = dataflow.structure.dimension(dimension_id) if dataflow is not None else None
            if dataflow is None or dimension is None:
                raise StructureError(f"{where}: associations name {dataflow_id} {dimension_id}, not a dimension.")
            if dimension.codelist is None or dimension.codelist.urn != found.codelist.urn:
                raise StructureError(f"{where}: {dataflow_id} {dimension_id} is not coded by {found.codelist.id}.")
            outside = sorted(dataflow.constraints.get(dimension_id, frozenset()) - codes)
            if outside:
                raise StructureError(f"{where}: {dataflow_id} allows {dimension_id}={outside[0]}, not in {found.id}.")
            names = {
                "es": f"{found.name.get('es')}: {dimension.name.get('es')} en {dataflow_id}",
                "en": f"{found.name.get('en')}: {dimension.name.get('en')} in {dataflow_id}",
            }
            association_id = f"HA_{dataflow_id.removeprefix('DF_')}_{dimension_id}"
            result.append(
                HierarchyAssociation(
                    association_id, found.agency, found.version, LocalizedText(names), found, dataflow, dimension_id
                )
            )
    return tuple(result)
