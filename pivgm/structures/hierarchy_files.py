"""Hierarchies (``hierarchies/<ID>.yaml``) as ``Hierarchy`` objects: each listed code's children are the codes
listed under it, then the members of its grouping code (e.g. a region's countries) that none of them holds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pivgm.errors import StructureError
from pivgm.model import Codelist, HierarchicalCode, Hierarchy, LocalizedText


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
