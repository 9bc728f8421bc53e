"""``mirrors.yaml``: the rules of mirror statistics, checked against the dataflows they read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pivgm.errors import StructureError
from pivgm.model import Dataflow, LocalizedText
from pivgm.model.indicator import MirrorRule, MirrorSide


def _side(rule_id: str, raw: Mapping[str, Any], dataflows: Mapping[str, Dataflow]) -> MirrorSide:
    dataflow = dataflows.get(raw["dataflow"])
    if dataflow is None:
        raise StructureError(f"mirrors.yaml: {rule_id} reads {raw['dataflow']!r}, which is not a dataflow.")
    key: dict[str, tuple[str, ...]] = {str(d): (str(c),) for d, c in raw["key"].items()}
    total = tuple(raw.get("total", ()))
    for dimension_id in (*key, *total, raw["from"], raw["to"]):
        dimension = dataflow.structure.dimension(dimension_id)
        if dimension is None:
            raise StructureError(f"mirrors.yaml: {rule_id}: {dataflow.id} has no dimension {dimension_id!r}.")
        codes = key.get(dimension_id, ())
        if dimension.codelist is not None and any(c not in dimension.codelist for c in codes):
            raise StructureError(f"mirrors.yaml: {rule_id}: {dimension_id}={codes[0]!r} is not in its codelist.")
    open_ = [
        d
        for d in dataflow.structure.dimension_ids
        if d not in key and d not in total and d not in (raw["from"], raw["to"], "FREQ")
    ]
    if open_ or "FREQ" not in key:
        missing = open_[0] if open_ else "FREQ"
        raise StructureError(
            f"mirrors.yaml: {rule_id}: {dataflow.id}'s {missing} is left open; select a code in `key` or sum it in "
            "`total` (FREQ always needs a code)."
        )
    return MirrorSide(LocalizedText(dict(raw["role"])), dataflow.id, key, total, raw["from"], raw["to"])


def mirror_rules(raw: Mapping[str, Any], dataflows: Mapping[str, Dataflow]) -> dict[str, MirrorRule]:
    """The rules of ``mirrors.yaml`` (already checked by its schema), by id."""
    rules = {}
    for entry in raw["mirrors"]:
        first, second = (_side(entry["id"], side, dataflows) for side in entry["sides"])
        rules[entry["id"]] = MirrorRule(
            entry["id"],
            LocalizedText(dict(entry["name"])),
            LocalizedText(dict(entry["description"])),
            LocalizedText(dict(entry["note"])),
            (first, second),
        )
    return rules
