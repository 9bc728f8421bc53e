"""The standard described in Markdown (docs/standard.md is generated from it and checked by a test)."""

from __future__ import annotations

from pivgm.model import Codelist, Dataflow, HierarchicalCode, Hierarchy, HierarchyAssociation
from pivgm.structures.loader import Standard

LARGE_CODELIST = 40


def _dataflow_section(dataflow: Dataflow) -> list[str]:
    structure = dataflow.structure
    lines = [
        f"### `{dataflow.id}` — {dataflow.name.get('en')}",
        "",
        f"*{dataflow.name.get('es')}* · theme `{dataflow.theme}` · structure `{structure.id}` "
        f"version {dataflow.version}",
        "",
        dataflow.description.get("en"),
        "",
        "| position | dimension | meaning here | codelist |",
        "| ---: | --- | --- | --- |",
    ]
    for dimension in structure.dimensions:
        codelist = f"`{dimension.codelist.id}`" if dimension.codelist else "free text"
        lines.append(
            f"| {dimension.position + 1} | `{dimension.id}` | {dimension.name.get('en')} / "
            f"{dimension.name.get('es')} | {codelist} |"
        )
    attributes = ", ".join(
        f"`{a.id}`" + (f" (`{a.codelist.id}`{', computed' if a.computed else ''})" if a.codelist else "")
        for a in structure.published_attributes
    )
    defaults = ", ".join(f"`{k}={v}`" for k, v in dataflow.defaults.items())
    unit = dataflow.defaults.get("UNIT_MEASURE")
    decimals = (
        f" Decimals: {dataflow.decimals_for(unit)} (`{unit}`)."
        if unit
        else " Decimals: by each series' unit (common.yaml)."
    )
    lines += [
        "",
        f"Attributes: {attributes}. Defaults: {defaults}.{decimals}",
        "",
        f"Source: {dataflow.metadata.source.get('en')} Licence: {dataflow.metadata.licence.get('en') or 'see source'}.",
        "",
    ]
    return lines


def _codelist_section(codelist: Codelist) -> list[str]:
    lines = [
        f"### `{codelist.id}` — {codelist.name.get('en')} / {codelist.name.get('es')} ({len(codelist)} codes)",
        "",
    ]
    if len(codelist) > LARGE_CODELIST:
        special = [c for c in codelist if not (len(c.id) == 3 and c.id.isalpha() and c.id.isupper())]
        lines.append(
            "Too long to list here (see the YAML file). Codes other than three-letter ones: "
            + ", ".join(f"`{c.id}` {c.name.get('en')}" for c in special)
            + "."
        )
        return [*lines, ""]
    lines += ["| code | English | Español |", "| --- | --- | --- |"]
    lines += [f"| `{c.id}` | {c.name.get('en')} | {c.name.get('es')} |" for c in codelist]
    return [*lines, ""]


def _hierarchy_lines(node: HierarchicalCode, codelist: Codelist, depth: int) -> list[str]:
    """A grouping code and, below it, its groupings; its other codes in one line."""
    code = codelist.get(node.code)
    name = code.name.get("en") if code is not None else node.code
    groups = [child for child in node.children if child.children]
    others = [child.code for child in node.children if not child.children]
    line = f"{'  ' * depth}- `{node.code}` {name}" + (f": {', '.join(f'`{c}`' for c in others)}" if others else "")
    return [line] + [row for child in groups for row in _hierarchy_lines(child, codelist, depth + 1)]


def _hierarchy_section(hierarchy: Hierarchy, associations: list[HierarchyAssociation]) -> list[str]:
    lines = [
        f"### `{hierarchy.id}` — {hierarchy.name.get('en')} / {hierarchy.name.get('es')} "
        f"(over `{hierarchy.codelist.id}`)",
        "",
    ]
    for root in hierarchy.codes:
        lines += _hierarchy_lines(root, hierarchy.codelist, 0)
    if associations:
        linked = ", ".join(f"`{a.dataflow.id}`" for a in associations)
        lines += ["", f"Associated with `{associations[0].dimension}` in {linked}."]
    return [*lines, ""]


def standard_markdown(standard: Standard) -> str:
    lines = [
        "# The PIVGM migration data standard",
        "",
        "Generated from `pivgm/structures/` by `python -m pivgm.structures.document > docs/standard.md`; a "
        "test fails when this file and the YAML disagree. Maintenance agency: "
        f"`{standard.agency}`. Every dataflow has the time dimension `TIME_PERIOD` (SDMX periods `2023`, "
        "`2023-Q3`, `2023-07`) and the measure `OBS_VALUE`.",
        "",
        "Special codes shared by all area codelists: `_T` total, `_O` other (IOM's `OOO`, CBP's \"Other\"), "
        "`_U` unknown (UNHCR's `UNK`), `_Z` not applicable, `XXA` stateless (IOM's `STL`).",
        "",
        "## Dataflows",
        "",
    ]
    for dataflow in standard.dataflows.values():
        lines += _dataflow_section(dataflow)
    lines += ["## Codelists", ""]
    for codelist in standard.codelists.values():
        lines += _codelist_section(codelist)
    lines += ["## Hierarchies", ""]
    for hierarchy in standard.hierarchies.values():
        linked = [a for a in standard.associations.values() if a.hierarchy.id == hierarchy.id]
        lines += _hierarchy_section(hierarchy, linked)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    from pivgm.structures import load_standard

    print(standard_markdown(load_standard()), end="")
