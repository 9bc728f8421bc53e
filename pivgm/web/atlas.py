"""A lighter world atlas for the maps, derived once at set-up from world-atlas ``countries-50m.json``.

The 50m atlas keeps the small Caribbean states that the 110m one drops, but draws slowly. Each shared border
(TopoJSON arc) is simplified once with the Douglas-Peucker method and re-quantised to 0.01 degree, so
neighbours still meet exactly and no country, however small, disappears.
"""

from __future__ import annotations

import json
from typing import Any

TOLERANCE = 0.05  # degrees (about 5 km): under a pixel on a map of the region or of the world
GRID = 0.01  # degrees per quantisation step

Point = tuple[float, float]


def _decode(topology: dict[str, Any]) -> list[list[Point]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _distance(point: Point, start: Point, end: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    return float(abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5)


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iteratively. A closed ring (an island) is first cut at its point farthest from the
    start, and keeps at least four points."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    if points[0] == points[-1]:
        far = max(range(1, len(points) - 1), key=lambda i: _distance(points[i], points[0], points[0]))
        keep[far] = True
        stack = [(0, far), (far, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last <= first + 1:
            continue
        farthest, index = max((_distance(points[i], points[first], points[last]), i) for i in range(first + 1, last))
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    kept = [p for p, k in zip(points, keep, strict=True) if k]
    if points[0] == points[-1] and len(kept) < 4:
        return (
            points
            if len(points) <= 5
            else [points[0], points[len(points) // 3], points[2 * len(points) // 3], points[-1]]
        )
    return kept


def _encode(points: list[Point]) -> list[list[int]]:
    quantised = [(round((x + 180) / GRID), round((y + 90) / GRID)) for x, y in points]
    deduplicated = [q for i, q in enumerate(quantised) if i == 0 or q != quantised[i - 1]]
    if len(deduplicated) < 2:
        deduplicated = [quantised[0], quantised[-1]]
    previous = (0, 0)
    encoded = []
    for x, y in deduplicated:
        encoded.append([x - previous[0], y - previous[1]])
        previous = (x, y)
    return encoded


def _ring(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _signed_area(ring: list[Point]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def _rings(topology: dict[str, Any]) -> list[list[int]]:
    rings = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        rings += [ring for polygon in polygons for ring in polygon]
    return rings


def _quantised(points: list[Point]) -> list[Point]:
    return [(round((x + 180) / GRID) * GRID - 180, round((y + 90) / GRID) * GRID - 90) for x, y in points]


def lighten(topology: dict[str, Any], tolerance: float = TOLERANCE) -> dict[str, Any]:
    """The countries of ``topology`` with simplified, re-quantised arcs (the other objects are dropped).

    A ring whose simplified outline would lose half its area or turn inside out (which a map draws as the
    whole globe) keeps its original arcs."""
    original = _decode(topology)
    simple = [_quantised(simplify(arc, tolerance)) for arc in original]
    changed = True
    while changed:
        changed = False
        for ring in _rings(topology):
            before, after = _signed_area(_ring(ring, original)), _signed_area(_ring(ring, simple))
            if before * after <= 0 or abs(after) < abs(before) / 2:
                for index in ring:
                    arc = index if index >= 0 else ~index
                    if simple[arc] != _quantised(original[arc]):
                        simple[arc] = _quantised(original[arc])
                        changed = True
    return {
        "type": "Topology",
        "objects": {"countries": topology["objects"]["countries"]},
        "arcs": [_encode(arc) for arc in simple],
        "bbox": topology.get("bbox"),
        "transform": {"scale": [GRID, GRID], "translate": [-180, -90]},
    }


def lighten_text(text: str) -> str:
    return json.dumps(lighten(json.loads(text)), separators=(",", ":"))
