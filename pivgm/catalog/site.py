"""The public site's services: one call per page (home, catalog and search, explorer, country profiles,
downloads), all reading the releases in force through the catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pivgm.catalog.explore import Explorer, ExplorerView
from pivgm.catalog.profiles import CountryProfile, RegionSpec, country_profile, region_countries, region_spec
from pivgm.catalog.search import code_document, dataflow_document, rank
from pivgm.catalog.service import Catalog, DataflowSummary, DataSelection, DataView, HighlightView
from pivgm.model import Code, Codelist

AREAS = "CL_AREA"
COVERAGE_DIMENSION = "REF_AREA"


@dataclass(frozen=True)
class CatalogEntry:
    """A dataflow as the catalog lists it: summary, countries covered, and (when searching) its score."""

    summary: DataflowSummary
    countries: tuple[str, ...]
    score: int = 0


@dataclass(frozen=True)
class CatalogPage:
    entries: tuple[CatalogEntry, ...]
    query: str
    theme: str | None
    themes: tuple[str, ...]
    countries: tuple[Code, ...]  # countries whose names match the query (links to their profiles)


@dataclass(frozen=True)
class HomeView:
    highlights: tuple[HighlightView, ...]
    region: RegionSpec
    region_map: ExplorerView | None
    countries: tuple[Code, ...]
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Download:
    """What a download holds: the explorer view (what is displayed) and, for the full dataflow, every
    observation of the release."""

    view: ExplorerView
    full: DataView | None


class PublicSite:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.explorer = Explorer(catalog)

    @property
    def areas(self) -> Codelist:
        return self.catalog.standard.codelist(AREAS)

    def _entry(self, summary: DataflowSummary, score: int = 0) -> CatalogEntry:
        counts = self.explorer.release_counts(summary.dataflow.id).get(COVERAGE_DIMENSION, {})
        areas = self.areas
        countries = tuple(c.id for c in areas if counts.get(c.id) and c.annotations.get("iso_numeric"))
        return CatalogEntry(summary, countries, score)

    def themes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d.theme for d in self.catalog.standard.dataflows.values()))

    def catalog_page(self, query: str = "", theme: str | None = None) -> CatalogPage:
        """Every dataflow (of ``theme``), or those matching ``query`` best first; countries matching too."""
        every = (self.explorer.summary(i) for i in sorted(self.catalog.standard.dataflows))
        summaries = {s.dataflow.id: s for s in every if not theme or s.dataflow.theme == theme}
        countries: tuple[Code, ...] = ()
        if query.strip():
            covered = {i: self._entry(s) for i, s in summaries.items()}
            areas = self.areas
            documents = (
                dataflow_document(s.dataflow, [c.name for code in covered[i].countries if (c := areas.get(code))])
                for i, s in summaries.items()
            )
            entries = tuple(
                CatalogEntry(summaries[i], covered[i].countries, score) for i, score in rank(documents, query)
            )
            places = [c for c in self.areas if c.annotations.get("iso_numeric")]
            matched = dict(rank((code_document(c) for c in places), query))
            countries = tuple(c for c in places if c.id in matched)[:6]
        else:
            entries = tuple(self._entry(s) for s in summaries.values())
        return CatalogPage(entries, query, theme, self.themes(), countries)

    def explore(self, dataflow_id: str, query: Mapping[str, Sequence[str]]) -> ExplorerView:
        return self.explorer.view(dataflow_id, query)

    def download(self, dataflow_id: str, query: Mapping[str, Sequence[str]], full: bool) -> Download:
        view = self.explorer.view(dataflow_id, query)
        data = self.catalog.data(dataflow_id, DataSelection()) if full else None
        return Download(view, data)

    def country(self, code: str) -> CountryProfile:
        """A country's profile from the releases in force, computed now: its pages are kept on disk once per
        publication (``web/profile_store.py``), not the profile itself."""
        return country_profile(self.explorer, self.areas, code)

    def countries(self) -> tuple[tuple[Code, ...], tuple[Code, ...]]:
        """The region's countries, then every other country of the Americas."""
        areas = self.areas
        region = region_countries(areas)
        americas = areas.get("AMR")
        others = tuple(
            c
            for c in areas
            if americas and c.id in americas.members and c not in region and c.annotations.get("iso_numeric")
        )
        return region, others

    def home(self) -> HomeView:
        """Headline figures of the latest releases, a map of the region and links into each theme."""
        spec = region_spec()
        countries = region_countries(self.areas)
        region_map = None
        if self.catalog.releases().get(spec.dataflow_id):
            available = self.explorer.release_counts(spec.dataflow_id).get(COVERAGE_DIMENSION, {})
            query = {**spec.params, COVERAGE_DIMENSION: [c.id for c in countries if available.get(c.id)]}
            region_map = self.explorer.view(spec.dataflow_id, query)
        return HomeView(tuple(self.catalog.highlights()), spec, region_map, countries, self.themes())
