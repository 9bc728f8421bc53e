"""A submission that only merges by key gives the same observations through the anti join as through the
general query that also replaces and deletes."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pivgm.warehouse import merge, merge_by_codes
from pivgm.warehouse.merge_by_codes import merge_and_stamp
from tests.encodings import decoded
from tests.encodings import encoded as encoded_text

KEYS = ["REF_AREA", "SEX", "TIME_PERIOD"]


def _rows(generator: random.Random, count: int) -> pa.Table:
    keys = generator.sample([(a, s, f"2023-{m:02d}") for a in "ABCDE" for s in "FM" for m in range(1, 13)], count)
    return pa.table(
        {
            "REF_AREA": [a for a, _, _ in keys],
            "SEX": [s for _, s, _ in keys],
            "TIME_PERIOD": [p for _, _, p in keys],
            "OBS_VALUE": [float(generator.randint(0, 9)) for _ in keys],
            "OBS_STATUS": [generator.choice(["A", "E", None]) for _ in keys],
        }
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("actions", [None, "M", "A"])
def test_merging_by_key_matches_the_general_query(
    seed: int, actions: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    generator = random.Random(seed)
    base, incoming = _rows(generator, 70), _rows(generator, 50)  # about half their keys shared
    pq.write_table(base, tmp_path / "base.parquet")
    marks = None if actions is None else pa.array([actions] * incoming.num_rows)

    def merged() -> list[tuple[object, ...]]:
        table = merge.merge_observations(tmp_path / "base.parquet", incoming, marks, KEYS[:2], KEYS[2])
        return sorted(tuple(row.values()) for row in table.to_pylist())

    by_key = merged()
    shared = {tuple(r[k] for k in KEYS) for r in base.to_pylist()} & {
        tuple(r[k] for k in KEYS) for r in incoming.to_pylist()
    }
    assert shared and len(by_key) == 70 + 50 - len(shared)
    monkeypatch.setattr(merge, "merges_only", lambda _: False)
    assert merged() == by_key


def _stamped_base(generator: random.Random, count: int) -> pa.Table:
    base = _rows(generator, count)
    times = [generator.choice(["2024-01-01T00:00:00Z", "2025-06-30T12:00:00Z", None]) for _ in range(count)]
    return base.append_column("LAST_UPDATED", pa.array(times, pa.string()))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("encoded", [False, True])
@pytest.mark.parametrize("chunk_rows", [7, merge_by_codes.CHUNK_ROWS])
def test_merging_and_stamping_on_key_codes_matches_the_two_joins(
    seed: int, encoded: bool, chunk_rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(merge_by_codes, "CHUNK_ROWS", chunk_rows)  # rows looked up and compared a few at a time
    generator = random.Random(seed)
    base = _stamped_base(generator, 80)
    incoming = _rows(generator, 60)
    # some incoming rows repeat the base's value exactly (their time is kept), one is missing in both
    shared = {tuple(r[k] for k in KEYS): r["OBS_VALUE"] for r in base.to_pylist()}
    values = [
        shared.get(tuple(r[k] for k in KEYS), r["OBS_VALUE"]) if i % 2 else r["OBS_VALUE"]
        for i, r in enumerate(incoming.to_pylist())
    ]
    incoming = incoming.set_column(3, "OBS_VALUE", pa.array(values, pa.float64()))
    path = tmp_path / "base.parquet"
    pq.write_table(base, path)
    now = "2026-12-05T00:00:00Z"

    joined = merge.stamp_revisions(
        path, merge.merge_observations(path, incoming, None, KEYS[:2], KEYS[2]), KEYS, "OBS_VALUE", now
    )
    coded = merge_and_stamp(path, encoded_text(incoming) if encoded else incoming, KEYS, "OBS_VALUE", now)
    assert coded is not None and decoded(coded).schema == joined.schema
    for column in coded.columns if encoded else []:  # one dictionary a column for the version file, narrow
        if pa.types.is_dictionary(column.type):
            assert column.type.index_type == pa.int8()
            assert all(chunk.dictionary.equals(column.chunk(0).dictionary) for chunk in column.chunks)

    def rows(table: pa.Table) -> list[tuple[object, ...]]:
        return sorted(tuple(row.values()) for row in table.to_pylist())

    assert rows(coded) == rows(joined)
    kept_times = {r["LAST_UPDATED"] for r in joined.to_pylist()} - {now}
    assert kept_times  # some base times were kept, so the comparison says something


def test_a_key_on_two_incoming_rows_is_left_to_the_joins(tmp_path: Path):
    base = _stamped_base(random.Random(5), 10)
    pq.write_table(base, tmp_path / "base.parquet")
    twice = _rows(random.Random(6), 5)
    twice = pa.concat_tables([twice, twice.slice(0, 1)])
    assert merge_and_stamp(tmp_path / "base.parquet", twice, KEYS, "OBS_VALUE", "now") is None


@pytest.mark.parametrize("base_rows", [0, 1])
def test_a_revision_of_an_empty_or_tiny_version_is_stamped_now_as_the_joins_stamp_it(base_rows: int, tmp_path: Path):
    base = _stamped_base(random.Random(7), 1).slice(0, base_rows)
    path = tmp_path / "base.parquet"
    pq.write_table(base, path)
    incoming = encoded_text(_rows(random.Random(8), 5))
    now = "2026-12-05T00:00:00Z"
    joined = merge.stamp_revisions(
        path, merge.merge_observations(path, incoming, None, KEYS[:2], KEYS[2]), KEYS, "OBS_VALUE", now
    )
    coded = merge_and_stamp(path, incoming, KEYS, "OBS_VALUE", now)
    assert coded is not None
    assert sorted(map(str, decoded(coded).to_pylist())) == sorted(map(str, joined.to_pylist()))
