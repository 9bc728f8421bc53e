"""Where areas are on the map: the ISO numeric id that joins a CL_AREA code to the world-atlas TopoJSON, and
a centre and size per country (for flow lines, and for dots that keep small island states visible)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pivgm.model import Codelist
from pivgm.web.assets import asset_url

ATLAS_FILE = Path(__file__).resolve().parent / "static" / "vendor" / "countries-50m.json"
ATLAS_NAME = "vendor/atlas.json"  # drawn: the 50m atlas simplified at set-up (atlas.py)
SMALL_AREA = 1.5  # square degrees (Jamaica is about 1): smaller countries also get a dot


@dataclass(frozen=True)
class Place:
    longitude: float
    latitude: float
    area: float
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # west, south, east, north (largest part)

    @property
    def small(self) -> bool:
        return self.area < SMALL_AREA


def atlas_url() -> str:
    """The atlas's fingerprinted address (cached for good by browsers, like every static file pages link)."""
    return asset_url(ATLAS_NAME)


def iso_numeric(codelist: Codelist | None, code: str) -> str | None:
    """The map id of an area code (``iso_numeric`` annotation of CL_AREA), None for groups and totals."""
    found = codelist.get(code) if codelist is not None else None
    return found.annotations.get("iso_numeric") if found is not None else None


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
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


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _area_and_centre(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Planar area (square degrees) and centroid of a ring (shoelace formula)."""
    twice_area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        twice_area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(twice_area) < 1e-12:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(twice_area) / 2, cx / (3 * twice_area), cy / (3 * twice_area)


@cache
def places() -> dict[str, Place]:
    """Centre of the largest polygon and total area of every country of the atlas, by ISO numeric id."""
    if not ATLAS_FILE.exists():
        return {}
    topology = json.loads(ATLAS_FILE.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    found: dict[str, Place] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if "id" not in geometry or not geometry.get("arcs"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [_ring(polygon[0], arcs) for polygon in polygons]
        measured = [(*_area_and_centre(ring), ring) for ring in rings]
        total = sum(m[0] for m in measured)
        _, longitude, latitude, ring = max(measured, key=lambda m: m[0])
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        bounds = (round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2))
        found[str(geometry["id"])] = Place(round(longitude, 3), round(latitude, 3), total, bounds)
    return found
