"""The public data-quality scorecard: per dataflow and provider, how complete, how timely, how revised.

Read from the releases in force only (their member versions), so it shows what the public can see.
- completeness: distinct periods reported / periods from the first to the last, per frequency;
- timeliness: days from the end of the last period reported to the loading of the version published;
- revisions: observations whose value changed after the provider first published them (``LAST_UPDATED``
  later than the provider's first publication), and their share.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from pivgm.catalog.service import Catalog
from pivgm.model import Dataflow
from pivgm.model.releases import ReleaseInfo, VersionInfo
from pivgm.warehouse.quality import SeriesFacts, series_facts


@dataclass(frozen=True)
class QualityRow:
    dataflow: Dataflow
    provider_id: str
    provider_name: dict[str, str]
    loaded_at: datetime
    facts: SeriesFacts

    @property
    def completeness(self) -> float:
        return 100 * self.facts.periods / self.facts.expected if self.facts.expected else 0.0

    @property
    def timeliness_days(self) -> int:
        return (self.loaded_at.date() - self.facts.last_period_end).days

    @property
    def revised_share(self) -> float:
        return 100 * self.facts.revised / self.facts.observations if self.facts.observations else 0.0


class Quality:
    """The scorecard, for every front end; a version's facts are read once (its file never changes)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._facts: dict[int, list[SeriesFacts]] = {}
        self._lock = threading.Lock()

    def scorecard(self, country: str | None = None) -> list[QualityRow]:
        """Every published dataflow (derived indicators aside) by provider and frequency; with ``country``,
        only the providers that report for it (national authorities of that country)."""
        published = self.catalog.published
        names = {p.id: {"es": p.name_es, "en": p.name_en} for p in published.providers()}
        providers = self.catalog.standard.providers
        rows = []
        for dataflow_id, release in sorted(self.catalog.releases().items()):
            if dataflow_id in self.catalog.standard.indicators:
                continue
            for version in published.members(release):
                provider = providers.get(version.provider_id)
                if country and (provider is None or country not in provider.countries):
                    continue
                for facts in self._version_facts(release, version):
                    dataflow = self.catalog.standard.dataflow(dataflow_id)
                    name = names.get(version.provider_id, {"es": version.provider_id, "en": version.provider_id})
                    rows.append(QualityRow(dataflow, version.provider_id, name, version.loaded_at, facts))
        return rows

    def _version_facts(self, release: ReleaseInfo, version: VersionInfo) -> list[SeriesFacts]:
        with self._lock:
            known = self._facts.get(version.id)
        if known is None:
            known = series_facts(self.catalog.published.member_file(release, version))
            with self._lock:
                self._facts[version.id] = known
        return known
