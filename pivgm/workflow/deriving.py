"""Derived indicators follow their inputs: each release of an input makes a release of every indicator it feeds.

An indicator's release takes effect when the input's does (or, if the indicator already has a later release
scheduled, at that time, so that the timeline never loses it), and is computed from the inputs' releases in
force at that moment: an embargoed input reaches an indicator only in a release embargoed until the same
time, and ``asOf`` finds the indicator's values as they were. The indicator's version, release and audit row
(``indicator.released``) are one records transaction, checked and retried like every release
(``publishing.commit``). Nothing is recorded when the values did not change.

The input's own release is committed first; should the indicator's fail, the input stays published and
``pivgm refresh-indicators`` recomputes every indicator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pivgm.accounts.actor import Actor
from pivgm.accounts.audit import event, operating_system_actor
from pivgm.errors import PivgmError
from pivgm.indicators.compute import compute
from pivgm.model.indicator import Indicator
from pivgm.platform import Platform
from pivgm.records import NewRelease, ProviderInfo, Records, ReleaseInfo, VersionInfo
from pivgm.records.repository import NewVersion, utc_now
from pivgm.structures import Standard
from pivgm.warehouse import Warehouse
from pivgm.warehouse.merge import LAST_UPDATED, iso_utc, stamp_revisions
from pivgm.workflow.publishing import Publisher, commit

PROVIDER_ID = "PIVGM"
SOURCE = "indicator"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Derived:
    """What refreshing one indicator did: its new release, or None when its values did not change."""

    indicator: str
    release: ReleaseInfo | None
    rows: int


def _same(table: pa.Table, previous: Path | None) -> bool:
    if previous is None:
        return False
    old = pq.read_table(previous)
    old = old.drop_columns([LAST_UPDATED]) if LAST_UPDATED in old.column_names else old
    return old.schema.equals(table.schema) and old.equals(table)


@dataclass(frozen=True)
class Deriver:
    """Computes and records indicator releases on the platform's parts."""

    standard: Standard
    records: Records
    warehouse: Warehouse
    clock: Callable[[], datetime] = utc_now

    def fed_by(self, dataflow_ids: Iterable[str]) -> list[Indicator]:
        changed = set(dataflow_ids)
        return [i for i in self.standard.indicators.values() if i.dataflows & changed]

    def refresh(self, indicator: Indicator, at: datetime, actor: Actor) -> Derived:
        """Record the indicator's release taking effect at ``at`` (or its scheduled one), if its values changed."""
        dataflow = self.standard.dataflow(indicator.id)
        publisher = Publisher(self.standard, self.records, self.warehouse, self.clock)
        provider = self.standard.provider(PROVIDER_ID)
        keys = [*dataflow.structure.dimension_ids, dataflow.structure.time_dimension]

        def build() -> tuple[NewVersion, NewRelease, int | None, dict[str, int]] | None:
            last = self.records.last_release_time(indicator.id)
            moment = max(at, last) if last is not None else at
            in_force = self.records.published_releases(moment)
            inputs = {d: in_force[d] for d in indicator.dataflows if d in in_force}
            if indicator.inputs[0].dataflow not in inputs:
                return None
            files = {d: self.warehouse.path(r.parquet_file) for d, r in inputs.items()}
            table = compute(indicator, dataflow, files)
            newest = {v.provider_id: v for v in self.records.current_versions(indicator.id)}.get(PROVIDER_ID)
            base = publisher.base(indicator.id, moment)
            # compared with the values its newest release holds (a cancelled release's version is newer)
            held = next((v for v in base.members if v.provider_id == PROVIDER_ID), None)
            previous = self.warehouse.path(held.parquet_file) if held else None
            if _same(table, previous):
                return None
            table = stamp_revisions(previous, table, keys, dataflow.structure.measure.id, iso_utc(moment))
            stored = self.warehouse.write_version(indicator.id, table)
            others = base.without(PROVIDER_ID)
            release_file, rows = publisher.build(
                indicator.id, [*(v.parquet_file for v in others), stored.relative_path]
            )
            version = NewVersion(
                dataflow_id=indicator.id,
                provider=ProviderInfo(PROVIDER_ID, provider.name.get("es"), provider.name.get("en")),
                source=SOURCE,
                source_files=[
                    {"name": f"{d} release {r.id}", "sha256": Path(r.parquet_file).stem}
                    for d, r in sorted(inputs.items())
                ],
                input_sha256=stored.sha256,
                parquet_file=stored.relative_path,
                row_count=stored.row_count,
            )
            release = NewRelease(release_file, rows, tuple(v.id for v in others), moment, based_on=base.release_id)
            return version, release, newest.id if newest else None, {d: r.id for d, r in inputs.items()}

        def write(built: tuple[NewVersion, NewRelease, int | None, dict[str, int]] | None) -> Derived:
            if built is None:
                return Derived(indicator.id, None, 0)
            version, release, newest_seen, inputs = built
            details = {"dataflow": indicator.id, "inputs": inputs, "observations": version.row_count}
            entry = event(actor, "indicator.released", f"dataflow:{indicator.id}", details, at=utc_now())
            recorded: tuple[VersionInfo, ReleaseInfo] = self.records.record_version_and_release(
                version, release, newest_seen, entry
            )
            return Derived(indicator.id, recorded[1], version.row_count)

        return commit(build, write)

    def after_release(self, dataflow_id: str, at: datetime | None, actor: Actor | None = None) -> list[Derived]:
        """Refresh every indicator fed by ``dataflow_id`` after a release of it taking effect at ``at``. The
        input is already published: a failure here is logged, not raised (``pivgm refresh-indicators``)."""
        moment = at or self.clock()
        who = actor or operating_system_actor()
        done = []
        for indicator in self.fed_by([dataflow_id]):
            try:
                done.append(self.refresh(indicator, moment, who))
            except PivgmError as error:
                log.error("Indicator %s was not refreshed after %s: %s", indicator.id, dataflow_id, error.message)
        return done

    def refresh_all(self, actor: Actor | None = None) -> list[Derived]:
        """Recompute every indicator now (after a failure, or a change of definitions)."""
        who = actor or operating_system_actor()
        return [self.refresh(i, self.clock(), who) for i in self.standard.indicators.values()]


def deriver_of(platform: Platform) -> Deriver:
    """The deriver on a platform's parts."""
    return Deriver(platform.standard, platform.records, platform.warehouse, platform.clock)
