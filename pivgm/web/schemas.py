"""JSON shapes of the API (plain dicts built from service results; formats only, no queries)."""

from __future__ import annotations

from typing import Any

from pivgm.catalog import DataflowSummary
from pivgm.model import Codelist, Dataflow, LocalizedText
from pivgm.records import ReleaseInfo


def text(value: LocalizedText) -> dict[str, str]:
    return value.to_dict()


def release_public(release: ReleaseInfo | None) -> dict[str, Any] | None:
    if release is None:
        return None
    return {
        "id": release.id,
        "published_at": release.published_at.isoformat(),
        "observations": release.row_count,
    }


def dataflow_summary_public(summary: DataflowSummary) -> dict[str, Any]:
    dataflow = summary.dataflow
    return {
        "id": dataflow.id,
        "agency": dataflow.agency,
        "version": dataflow.version,
        "theme": dataflow.theme,
        "name": text(dataflow.name),
        "description": text(dataflow.description),
        "release": release_public(summary.release),
        "periods": {"first": summary.first_period, "last": summary.last_period},
        "providers": list(summary.providers),
        "links": {"self": f"/api/dataflows/{dataflow.id}", "data": f"/api/data/{dataflow.id}"},
    }


def codelist_public(codelist: Codelist, counts: dict[str, int] | None = None) -> dict[str, Any]:
    codes = []
    for code in codelist:
        item: dict[str, Any] = {"id": code.id, "name": text(code.name)}
        if code.parent:
            item["parent"] = code.parent
        if code.members:
            item["members"] = list(code.members)
        if counts is not None:
            item["observations"] = counts.get(code.id, 0)
        codes.append(item)
    return {
        "id": codelist.id,
        "agency": codelist.agency,
        "version": codelist.version,
        "name": text(codelist.name),
        "codes": codes,
    }


def dataflow_public(summary: DataflowSummary, counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    dataflow: Dataflow = summary.dataflow
    structure = dataflow.structure
    metadata = dataflow.metadata
    return {
        **dataflow_summary_public(summary),
        "structure": {
            "id": structure.id,
            "dimensions": [
                {
                    "id": d.id,
                    "position": d.position,
                    "name": text(d.name),
                    "codelist": codelist_public(d.codelist, counts.get(d.id)) if d.codelist else None,
                }
                for d in structure.dimensions
            ],
            "time_dimension": structure.time_dimension,
            "measure": {"id": structure.measure.id, "name": text(structure.measure.name)},
            "attributes": [
                {
                    "id": a.id,
                    "name": text(a.name),
                    "attachment": a.attachment.value,
                    "mandatory": a.mandatory,
                    "codelist": codelist_public(a.codelist) if a.codelist else None,
                }
                for a in structure.attributes
            ],
        },
        "defaults": dict(dataflow.defaults),
        "decimals": dict(dataflow.decimals),  # by unit of measure: how many decimals to show (SDMX DECIMALS)
        "metadata": {
            "definition": text(metadata.definition),
            "source": text(metadata.source),
            "source_url": metadata.source_url,
            "licence": text(metadata.licence),
            "coverage": text(metadata.coverage),
            "methodology": text(metadata.methodology),
            "comparability": text(metadata.comparability),
            "keywords": text(metadata.keywords),
        },
    }
