"""What a submission changes against the published data of its provider: new, revised and deleted
observations, each with the old and the new value and the size of the change; and the totals by period
that the review page draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pivgm.model import DataStructure
from pivgm.platform import Platform
from pivgm.records import SubmissionInfo

SHOWN = 200
KEY = "_key"


@dataclass(frozen=True)
class Change:
    kind: str  # new, revised or deleted
    key: dict[str, str]
    old: float | None
    new: float | None

    @property
    def difference(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def relative(self) -> float | None:
        """The change as a share of the old value (0.1 = 10 %), when there is one to compare with."""
        if self.old in (None, 0) or self.new is None:
            return None
        assert self.old is not None
        return (self.new - self.old) / abs(self.old)


@dataclass
class Changes:
    """Counts of each kind, the first ``SHOWN`` changes, and totals by period before and after."""

    dimensions: list[str]
    new: int = 0
    revised: int = 0
    deleted: int = 0
    unchanged: int = 0
    shown: list[Change] = field(default_factory=list)
    totals: list[tuple[str, float | None, float | None]] = field(default_factory=list)  # period, before, after
    sample: list[dict[str, object]] = field(default_factory=list)  # the submission's first observations
    published: bool = False

    @property
    def any(self) -> bool:
        return bool(self.new or self.revised or self.deleted)


def _table(platform: Platform, parquet_file: str, columns: list[str]) -> pa.Table:
    return pq.read_table(platform.warehouse.path(parquet_file), columns=columns)


def _keyed(table: pa.Table, keys: list[str], measure: str) -> pa.Table:
    key = pc.binary_join_element_wise(*[pc.cast(table.column(k), pa.string()) for k in keys], "\x1f")
    values = pc.cast(table.column(measure), pa.float64())
    return pa.table({KEY: key, "value": values})


def _totals(table: pa.Table, time: str, measure: str, breakdowns: list[str]) -> dict[str, float]:
    """The figure of each period: the rows that are totals over every breakdown when the data has them
    (no double counting), else the sum of all rows."""
    if breakdowns and table.num_rows:
        mask = reduce(pc.and_, [pc.equal(table.column(d), "_T") for d in breakdowns])
        totals = table.filter(mask)
        if totals.num_rows:
            table = totals
    grouped = table.group_by(time).aggregate([(measure, "sum")])
    return dict(zip(grouped.column(time).to_pylist(), grouped.column(f"{measure}_sum").to_pylist(), strict=True))


def changes(platform: Platform, submission: SubmissionInfo) -> Changes:
    """The submission's version against the provider's version in the release in force (empty: all new)."""
    dataflow = platform.standard.dataflow(submission.dataflow_id)
    structure = dataflow.structure
    keys = [*structure.dimension_ids, structure.time_dimension]
    measure = structure.measure.id
    result = Changes(dimensions=keys)
    if submission.version_id is None:
        return result
    version = platform.records.version(submission.version_id)
    if version is None:
        return result
    after = _table(platform, version.parquet_file, [*keys, measure])
    result.sample = after.slice(0, 20).to_pylist()
    published = [
        v
        for v in platform.records.published_versions(dataflow.id)
        if v.provider_id == submission.provider_id and v.id != version.id
    ]
    before = _table(platform, published[0].parquet_file, [*keys, measure]) if published else after.schema.empty_table()
    result.published = bool(published)
    return compare(before, after, structure, result)


def compare(before: pa.Table, after: pa.Table, structure: DataStructure, result: Changes | None = None) -> Changes:
    """``after`` against ``before`` (each with the keys and the measure): counts, the first changes, totals."""
    keys = [*structure.dimension_ids, structure.time_dimension]
    measure, time = structure.measure.id, structure.time_dimension
    result = result or Changes(dimensions=keys)
    old, new = _keyed(before, keys, measure), _keyed(after, keys, measure)
    joined = new.join(old, KEY, join_type="full outer", left_suffix="_new", right_suffix="_old")
    value_new, value_old = joined.column("value_new"), joined.column("value_old")
    in_new = pc.is_in(joined.column(KEY), value_set=new.column(KEY))
    in_old = pc.is_in(joined.column(KEY), value_set=old.column(KEY))
    is_new = pc.and_(in_new, pc.invert(in_old))
    is_deleted = pc.and_(in_old, pc.invert(in_new))
    both = pc.and_(in_new, in_old)
    differs = pc.fill_null(pc.not_equal(value_new, value_old), True)
    is_revised = pc.and_(both, differs)
    result.new = pc.sum(is_new).as_py() or 0
    result.deleted = pc.sum(is_deleted).as_py() or 0
    result.revised = pc.sum(is_revised).as_py() or 0
    result.unchanged = (pc.sum(both).as_py() or 0) - result.revised
    for kind, mask in (("revised", is_revised), ("deleted", is_deleted), ("new", is_new)):
        rows = joined.filter(mask).slice(0, max(0, SHOWN - len(result.shown))).to_pylist()
        for row in rows:
            codes = dict(zip(keys, row[KEY].split("\x1f"), strict=True))
            result.shown.append(Change(kind, codes, row["value_old"], row["value_new"]))
    breakdowns = [d for d in structure.dimension_ids if d not in ("FREQ", "REF_AREA")]
    totals_before, totals_after = _totals(before, time, measure, breakdowns), _totals(after, time, measure, breakdowns)
    periods = sorted(set(totals_before) | set(totals_after))
    result.totals = [(p, totals_before.get(p), totals_after.get(p)) for p in periods]
    return result
