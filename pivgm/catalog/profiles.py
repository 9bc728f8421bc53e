"""Country profiles and the region at a glance (``profiles.yaml``), built from explorer views, so every block
shows the figures of the explorer view it links to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pivgm.catalog.explore import Explorer, ExplorerView
from pivgm.catalog.service import Catalog, DataSelection
from pivgm.catalog.state import Placement, ViewKind
from pivgm.errors import NotFoundError, in_both
from pivgm.model import Code, Codelist, Dataflow, LocalizedText

PROFILES_FILE = Path(__file__).resolve().parent / "profiles.yaml"
COUNTRY = "{country}"
TOP = 8


@dataclass(frozen=True)
class BlockSpec:
    id: str
    dataflow_id: str
    title: LocalizedText
    params: dict[str, list[str]]
    top: str | None = None
    top_title: LocalizedText | None = None
    section: LocalizedText | None = None  # blocks that share a section are shown under its heading
    needs: str | None = None  # a dimension that must have data for the country (not only for comparisons)

    def query(self, country: str) -> dict[str, list[str]]:
        return {name: [v.replace(COUNTRY, country) for v in values] for name, values in self.params.items()}


@dataclass(frozen=True)
class RegionSpec:
    groups: tuple[str, ...]
    dataflow_id: str
    params: dict[str, list[str]]
    title: LocalizedText
    headlines: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileBlock:
    spec: BlockSpec
    view: ExplorerView
    top: ExplorerView | None = None


@dataclass(frozen=True)
class IndicatorSpec:
    dataflow_id: str
    params: dict[str, list[str]]

    def query(self, country: str) -> dict[str, list[str]]:
        return {name: [v.replace(COUNTRY, country) for v in values] for name, values in self.params.items()}


@dataclass(frozen=True)
class IndicatorFigure:
    """A country's latest value of a derived indicator, for the selection ``params`` (its explorer view)."""

    dataflow: Dataflow
    params: dict[str, list[str]]
    period: str
    value: float
    unit: str
    status: str | None  # OBS_STATUS when not normal


@dataclass(frozen=True)
class CountryProfile:
    country: Code
    blocks: tuple[ProfileBlock, ...]
    indicators: tuple[IndicatorFigure, ...] = ()


def _params(raw: Mapping[str, Any]) -> dict[str, list[str]]:
    return {name: [str(v) for v in values] for name, values in raw.items()}


@cache
def _indicator_specs() -> tuple[IndicatorSpec, ...]:
    with open(PROFILES_FILE, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    return tuple(IndicatorSpec(entry["dataflow"], _params(entry["params"])) for entry in raw.get("indicators") or ())


@cache
def _load() -> tuple[RegionSpec, tuple[BlockSpec, ...]]:
    with open(PROFILES_FILE, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    region = raw["region"]
    spec = RegionSpec(
        tuple(region["groups"]),
        region["map"]["dataflow"],
        _params(region["map"]["params"]),
        LocalizedText(region["map"]["title"]),
        tuple(region.get("headlines") or ()),
    )
    blocks = tuple(
        BlockSpec(
            entry["id"],
            entry["dataflow"],
            LocalizedText(entry["title"]),
            _params(entry["params"]),
            entry.get("top"),
            LocalizedText(entry["top_title"]) if entry.get("top_title") else None,
            LocalizedText(raw["sections"][entry["section"]]) if entry.get("section") else None,
            entry.get("needs"),
        )
        for entry in raw["blocks"]
    )
    return spec, blocks


def region_spec() -> RegionSpec:
    return _load()[0]


def region_countries(areas: Codelist) -> tuple[Code, ...]:
    """The countries of the region's groups (Central America and the Caribbean), in codelist order."""
    members = {m for group in region_spec().groups if (code := areas.get(group)) for m in code.members}
    return tuple(code for code in areas if code.id in members)


def country_code(areas: Codelist, code: str) -> Code:
    """A country or area that can have a profile (one with a map id); NotFoundError says where to look."""
    found = areas.get(code.upper())
    if found is None or not found.annotations.get("iso_numeric"):
        raise NotFoundError(
            f"{code!r} is not a country code of {areas.id}; use an ISO 3166-1 alpha-3 code such as MEX or GTM "
            "(the list is at /countries).",
            country=code,
            **in_both(
                f"«{code}» no es un código de país de {areas.id}: use un código ISO 3166-1 alfa-3 como MEX o GTM "
                "(la lista está en /countries).",
                f"{code!r} is not a country code of {areas.id}; use an ISO 3166-1 alpha-3 code such as MEX or GTM "
                "(the list is at /countries).",
            ),
        )
    return found


def _block(explorer: Explorer, spec: BlockSpec, country: str) -> ProfileBlock | None:
    if not explorer.catalog.releases().get(spec.dataflow_id):
        return None
    if spec.needs and not explorer.release_counts(spec.dataflow_id).get(spec.needs, {}).get(country):
        return None
    view = explorer.view(spec.dataflow_id, spec.query(country))
    if view.shape is None:
        return None
    return ProfileBlock(spec, view, _top_view(explorer, view, spec.top) if spec.top else None)


def _top_view(explorer: Explorer, view: ExplorerView, dimension: str) -> ExplorerView | None:
    """The ranking of ``dimension``'s codes, each once: every other dimension with several codes (such as
    refugees and asylum-seekers) is added up rather than ranked beside it."""
    state = view.state
    time = view.dataflow.structure.time_dimension
    summed = {d: Placement.SUM for d in view.dataflow.structure.dimension_ids if d not in (dimension, time)}
    placements = {**state.placements, **summed, dimension: Placement.SERIES}
    top = explorer.view_state(view.summary, replace(state, view=ViewKind.RANKED, placements=placements))
    return top if top.shape is not None else None


def _indicator(catalog: Catalog, spec: IndicatorSpec, country: str) -> IndicatorFigure | None:
    """The latest period with a value (an undefined indicator is skipped back to one that has it)."""
    if spec.dataflow_id not in catalog.releases():
        return None
    params = spec.query(country)
    view = catalog.data(spec.dataflow_id, DataSelection(filters=params))
    rows = [r for r in view.table.to_pylist() if r["OBS_VALUE"] is not None]
    if not rows:
        return None
    last = rows[-1]  # in key and period order: one series, its latest period
    status = last.get("OBS_STATUS")
    return IndicatorFigure(
        view.dataflow,
        params,
        last["TIME_PERIOD"],
        last["OBS_VALUE"],
        last.get("UNIT_MEASURE") or "",
        status if status not in (None, "A") else None,
    )


def country_profile(explorer: Explorer, areas: Codelist, code: str) -> CountryProfile:
    """Every block with data for the country (a block the country does not report is left out), and the
    latest value of each derived indicator the country has."""
    country = country_code(areas, code)
    blocks = tuple(b for spec in _load()[1] if (b := _block(explorer, spec, country.id)) is not None)
    figures = (_indicator(explorer.catalog, spec, country.id) for spec in _indicator_specs())
    return CountryProfile(country, blocks, tuple(f for f in figures if f is not None))
