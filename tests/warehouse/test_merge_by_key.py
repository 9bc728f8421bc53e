"""A submission that only merges by key gives the same observations through the anti join as through the
general query that also replaces and deletes."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pivgm.warehouse import merge

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
    monkeypatch.setattr(merge, "_merges_only", lambda _: False)
    assert merged() == by_key
