"""The public data-quality scorecard: per dataflow and provider, how complete, how timely, how revised.

Read from the releases in force only (their member versions), so it shows what the public can see.
- completeness: distinct periods reported / periods from the first to the last, per frequency;
- timeliness: days from the end of the last period reported to the loading of the version published;
- revisions: observations whose value changed after the provider first published them (``LAST_UPDATED``
  later than the provider's first publication), and their share;
- disaggregations: for each dimension ``quality.yaml`` expects the dataflow to break down, the periods in
  which it is broken down against the periods reported, and their mean;
- warnings accepted at validation: those of the submission that loaded the published version, by rule
  (None for versions loaded from sources or pulls, which were not validated as submissions).
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
    expected: tuple[str, ...] = ()  # the dimensions expected broken down
    warnings: dict[str, int] | None = None  # rule -> warnings accepted at validation; None: not submitted

    @property
    def disaggregation(self) -> dict[str, float]:
        """Per expected dimension: periods broken down by it / periods reported, in %."""
        periods = self.facts.periods
        return {d: 100 * self.facts.disaggregated.get(d, 0) / periods if periods else 0.0 for d in self.expected}

    @property
    def disaggregation_pct(self) -> float | None:
        shares = list(self.disaggregation.values())
        return sum(shares) / len(shares) if shares else None

    @property
    def warnings_accepted(self) -> int | None:
        return sum(self.warnings.values()) if self.warnings is not None else None

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
                expected = self.catalog.standard.disaggregations.get(dataflow_id, ())
                warnings = published.accepted_warnings(release, version)
                for facts in self._version_facts(release, version, expected):
                    dataflow = self.catalog.standard.dataflow(dataflow_id)
                    name = names.get(version.provider_id, {"es": version.provider_id, "en": version.provider_id})
                    rows.append(
                        QualityRow(dataflow, version.provider_id, name, version.loaded_at, facts, expected, warnings)
                    )
        return rows

    def _version_facts(
        self, release: ReleaseInfo, version: VersionInfo, expected: tuple[str, ...]
    ) -> list[SeriesFacts]:
        with self._lock:
            known = self._facts.get(version.id)
        if known is None:
            known = series_facts(self.catalog.published.member_file(release, version), expected)
            with self._lock:
                self._facts[version.id] = known
        return known
