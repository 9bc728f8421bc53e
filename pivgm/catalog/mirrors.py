"""Mirror statistics on the releases in force (or at ``asOf``): one service call per page or endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pivgm.catalog.service import Catalog
from pivgm.errors import NotFoundError
from pivgm.indicators.mirrors import Disagreement, MatrixCell, MirrorObservation, disagreement, matrix, observations
from pivgm.model import Dataflow
from pivgm.model.indicator import MirrorRule
from pivgm.model.releases import ReleaseInfo


@dataclass(frozen=True)
class MirrorView:
    """A rule, its sides' dataflows and the releases read, the regional matrix, and the pairs over time
    (those of ``origin`` and ``destination`` when given)."""

    rule: MirrorRule
    dataflows: tuple[Dataflow, Dataflow]
    releases: tuple[ReleaseInfo | None, ReleaseInfo | None]
    matrix: list[MatrixCell]
    pairs: list[MirrorObservation]
    origin: str | None
    destination: str | None


@dataclass(frozen=True)
class RuleDisagreement:
    """One rule's reporters and how far they disagree (the regional view: who disagrees with whom)."""

    rule: MirrorRule
    disagreement: Disagreement

    @property
    def reporters(self) -> tuple[str, str]:
        return self.rule.sides[0].reporter, self.rule.sides[1].reporter


class Mirrors:
    """Mirror statistics for every front end (HTML, JSON)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def rules(self) -> list[MirrorRule]:
        return list(self.catalog.standard.mirrors.values())

    def rule(self, rule_id: str) -> MirrorRule:
        rule = self.catalog.standard.mirrors.get(rule_id)
        if rule is None:
            known = ", ".join(sorted(self.catalog.standard.mirrors))
            raise NotFoundError(f"Mirror statistics {rule_id!r} do not exist. Known: {known}.", mirror=rule_id)
        return rule

    def view(
        self, rule_id: str, origin: str | None = None, destination: str | None = None, as_of: datetime | None = None
    ) -> MirrorView:
        """Both sides as published now (or at ``as_of``, never later than now)."""
        rule = self.rule(rule_id)
        releases, every = self._observations(rule, as_of)
        pairs = [p for p in every if (origin in (None, p.origin)) and (destination in (None, p.destination))]
        standard = self.catalog.standard
        first, second = (standard.dataflow(side.dataflow) for side in rule.sides)
        return MirrorView(rule, (first, second), (releases[0], releases[1]), matrix(every), pairs, origin, destination)

    def _observations(
        self, rule: MirrorRule, as_of: datetime | None
    ) -> tuple[tuple[ReleaseInfo | None, ReleaseInfo | None], list[MirrorObservation]]:
        in_force = self.catalog.releases(as_of)
        first, second = (in_force.get(side.dataflow) for side in rule.sides)
        files = {r.dataflow_id: self.catalog.published.release_file(r) for r in (first, second) if r is not None}
        return (first, second), observations(rule, files)

    def regional(self, as_of: datetime | None = None) -> list[RuleDisagreement]:
        """Every rule's reporters and their disagreement over everything both publish (now or at ``as_of``)."""
        return [RuleDisagreement(rule, disagreement(self._observations(rule, as_of)[1])) for rule in self.rules()]
