"""How the explorer opens each dataflow (``explorer.yaml``): default selection, layout, view, map and flows."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from pivgm.model import Dataflow

EXPLORER_FILE = Path(__file__).resolve().parent / "explorer.yaml"


@dataclass(frozen=True)
class Flows:
    """The dimensions a corridor goes from and to (origin -> destination)."""

    origin: str
    destination: str


@dataclass(frozen=True)
class ExplorerDefaults:
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    summed: tuple[str, ...] = ()
    start: str | None = None
    view: str = "line"
    map_dimension: str | None = None
    flows: Flows | None = None
    time_additive: bool = False


@cache
def _load() -> dict[str, ExplorerDefaults]:
    with open(EXPLORER_FILE, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    return {
        dataflow_id: ExplorerDefaults(
            filters={k: tuple(str(c) for c in v) for k, v in (entry.get("filters") or {}).items()},
            summed=tuple(entry.get("sum") or ()),
            start=str(entry["from"]) if entry.get("from") else None,
            view=entry.get("view", "line"),
            map_dimension=entry.get("map"),
            flows=Flows(entry["flows"]["from"], entry["flows"]["to"]) if entry.get("flows") else None,
            time_additive=bool(entry.get("time_additive", False)),
        )
        for dataflow_id, entry in raw.items()
    }


def explorer_defaults(dataflow: Dataflow) -> ExplorerDefaults:
    """The dataflow's entry, or, for a dataflow not described yet, a map of its first area dimension."""
    known = _load().get(dataflow.id)
    if known is not None:
        return known
    areas = [d.id for d in dataflow.structure.dimensions if d.codelist is not None and d.codelist.id == "CL_AREA"]
    return ExplorerDefaults(map_dimension=areas[0] if areas else None)
