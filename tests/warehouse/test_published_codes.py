"""DuckDB numbers a published version's rows exactly as the column-by-column numbering does, in file order."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pivgm.warehouse.encoding import combined_codes_with, encode
from pivgm.warehouse.published import PublishedColumns
from pivgm.warehouse.published_codes import published_codes

COLUMNS = ["REF_AREA", "SEX", "TIME_PERIOD"]


def _submission(generator: random.Random) -> list[pa.DictionaryArray]:
    rows = 2_000
    return [
        encode(pa.array([generator.choice(["MEX", "GTM", "HND", "O'Higgins"]) for _ in range(rows)])),
        encode(pa.array(["F"] * rows)),  # a constant: it numbers nothing, but other values are not known
        encode(
            pa.array(
                [f"2023-{generator.randint(1, 12):02d}" if generator.random() > 0.01 else None for _ in range(rows)]
            )
        ),
    ]


def _published(generator: random.Random, rows: int) -> pa.Table:
    return pa.table(
        {
            "REF_AREA": [generator.choice(["MEX", "GTM", "BLZ", "O'Higgins", None]) for _ in range(rows)],
            "SEX": [generator.choice(["F", "F", "F", "M"]) for _ in range(rows)],
            "TIME_PERIOD": [f"{generator.choice([2022, 2023])}-{generator.randint(1, 12):02d}" for _ in range(rows)],
        }
    )


def _expected(arrays: list[pa.DictionaryArray], published: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The column-by-column numbering, spread over every published row (code 0 where not known)."""
    _, codes, matched = combined_codes_with(
        arrays, len(arrays[0]), [published.column(c) for c in COLUMNS], published.num_rows
    )
    known = np.zeros(published.num_rows, bool)
    known[matched] = True
    spread = np.zeros(published.num_rows, np.int64)
    spread[matched] = codes
    return spread, known


def test_an_arrow_table_is_numbered_as_column_by_column():
    generator = random.Random(3)
    arrays, published = _submission(generator), _published(generator, 5_000)
    codes, known = published_codes(arrays, COLUMNS, published)
    expected_codes, expected_known = _expected(arrays, published)
    assert known.tolist() == expected_known.tolist() and 0 < known.sum() < len(known)
    assert (codes[known] == expected_codes[known]).all()


def test_a_version_file_of_many_row_groups_is_numbered_in_its_own_order(tmp_path: Path):
    generator = random.Random(4)
    arrays, published = _submission(generator), _published(generator, 300_000)
    path = tmp_path / "version.parquet"
    pq.write_table(published, path, row_group_size=7_000)  # DuckDB reads the groups on several threads
    codes, known = published_codes(arrays, COLUMNS, PublishedColumns(path, COLUMNS))
    expected_codes, expected_known = _expected(arrays, published)
    assert (known == expected_known).all()
    assert (codes[known] == expected_codes[known]).all()


def test_columns_of_too_many_values_are_left_to_the_column_by_column_numbering():
    wide = encode(pa.array([f"v{i}" for i in range(200_000)]))
    assert published_codes([wide], ["REF_AREA"], pa.table({"REF_AREA": ["v1"]})) is None


def test_key_columns_that_are_not_text_are_left_to_the_column_by_column_numbering():
    # DuckDB would write 2020.0 as "2020.0", where the submission (and Arrow) have "2020"
    submitted = [encode(pa.array(["2020", "2021"]))]
    published = pa.table({"TIME_PERIOD": pa.array([2020.0, 2019.0])})
    assert published_codes(submitted, ["TIME_PERIOD"], published) is None
    *_, matched = combined_codes_with(submitted, 2, [published.column("TIME_PERIOD")], 2)
    assert matched.tolist() == [0]
