"""``mirrors.yaml`` and ``routes.yaml``: mirror statistics rules and migration routes, checked against the
dataflows and providers they name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pivgm.errors import StructureError
from pivgm.model import Dataflow, LocalizedText
from pivgm.model.indicator import MirrorRule, MirrorSide, Route, RoutePoint
from pivgm.model.structure import Codelist


def _places(rule_id: str, raw: Mapping[str, Any], areas: Codelist | None) -> tuple[dict[str, str], dict[str, str]]:
    """``from`` and ``to``: the dimensions named (role -> dimension) and the fixed codes (role -> code)."""
    dimensions, fixed = {}, {}
    for role, place in (("origin", raw["from"]), ("destination", raw["to"])):
        if isinstance(place, Mapping):
            if areas is not None and place["code"] not in areas:
                raise StructureError(f"mirrors.yaml: {rule_id}: {place['code']!r} is not a code of CL_AREA.")
            fixed[role] = str(place["code"])
        else:
            dimensions[role] = str(place)
    return dimensions, fixed


def _side(
    rule_id: str, raw: Mapping[str, Any], dataflows: Mapping[str, Dataflow], providers: Mapping[str, object] | None
) -> MirrorSide:
    dataflow = dataflows.get(raw["dataflow"])
    if dataflow is None:
        raise StructureError(f"mirrors.yaml: {rule_id} reads {raw['dataflow']!r}, which is not a dataflow.")
    if providers is not None and raw["reporter"] not in providers:
        raise StructureError(f"mirrors.yaml: {rule_id}: reporter {raw['reporter']!r} is not in providers.yaml.")
    area = dataflow.structure.dimension("REF_AREA")
    dimensions, fixed = _places(rule_id, raw, area.codelist if area is not None else None)
    key: dict[str, tuple[str, ...]] = {str(d): (str(c),) for d, c in raw["key"].items()}
    total = tuple(raw.get("total", ()))
    for dimension_id in (*key, *total, *dimensions.values()):
        dimension = dataflow.structure.dimension(dimension_id)
        if dimension is None:
            raise StructureError(f"mirrors.yaml: {rule_id}: {dataflow.id} has no dimension {dimension_id!r}.")
        codes = key.get(dimension_id, ())
        if dimension.codelist is not None and any(c not in dimension.codelist for c in codes):
            raise StructureError(f"mirrors.yaml: {rule_id}: {dimension_id}={codes[0]!r} is not in its codelist.")
    open_ = [
        d
        for d in dataflow.structure.dimension_ids
        if d not in key and d not in total and d not in (*dimensions.values(), "FREQ")
    ]
    if open_ or "FREQ" not in key:
        missing = open_[0] if open_ else "FREQ"
        raise StructureError(
            f"mirrors.yaml: {rule_id}: {dataflow.id}'s {missing} is left open; select a code in `key` or sum it in "
            "`total` (FREQ always needs a code)."
        )
    return MirrorSide(
        LocalizedText(dict(raw["role"])),
        dataflow.id,
        key,
        total,
        dimensions.get("origin", ""),
        dimensions.get("destination", ""),
        str(raw["reporter"]),
        fixed,
    )


def mirror_rules(
    raw: Mapping[str, Any], dataflows: Mapping[str, Dataflow], providers: Mapping[str, object] | None = None
) -> dict[str, MirrorRule]:
    """The rules of ``mirrors.yaml`` (already checked by its schema), by id."""
    rules = {}
    for entry in raw["mirrors"]:
        first, second = (_side(entry["id"], side, dataflows, providers) for side in entry["sides"])
        if first.fixed != second.fixed:
            raise StructureError(f"mirrors.yaml: {entry['id']}: both sides must fix the same places to the same codes.")
        rules[entry["id"]] = MirrorRule(
            entry["id"],
            LocalizedText(dict(entry["name"])),
            LocalizedText(dict(entry["description"])),
            LocalizedText(dict(entry["note"])),
            (first, second),
        )
    return rules


def routes(
    raw: Mapping[str, Any], dataflows: Mapping[str, Dataflow], providers: Mapping[str, object]
) -> dict[str, Route]:
    """The routes of ``routes.yaml`` (already checked by its schema), by id; each point is checked as a side
    of a mirror rule whose origin is the citizenship."""
    found = {}
    for entry in raw["routes"]:
        points = []
        for point in entry["points"]:
            side = {**point, "role": point["name"], "from": point["citizenship"], "to": {"code": "_Z"}}
            del side["id"], side["name"], side["citizenship"]
            place = side.pop("place", None)
            where = f"{entry['id']}/{point['id']}"
            points.append(
                RoutePoint(
                    point["id"],
                    LocalizedText(dict(point["name"])),
                    _side(where, side, dataflows, providers),
                    (float(place["longitude"]), float(place["latitude"])) if place else None,
                )
            )
        found[entry["id"]] = Route(
            entry["id"],
            LocalizedText(dict(entry["name"])),
            LocalizedText(dict(entry["description"])),
            LocalizedText(dict(entry["caveat"])),
            tuple(points),
        )
    return found
