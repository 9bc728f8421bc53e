"""Release files keep their rows in the order the data API answers in (key, then period start), and say so
in their metadata, so a page is read in file order instead of sorting every selected row; a file that does
not say so (written before) is still answered in key order."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pivgm.catalog import Catalog
from pivgm.catalog.published import PublishedData
from pivgm.platform import Platform
from pivgm.sources import SourceImporter
from pivgm.warehouse import DataQuery
from pivgm.warehouse.query import ReleaseReader
from pivgm.workflow.loading import load_source
from tests.backends import settings_for

FLOW = "DF_POPULATION"
KEYS = ["FREQ", "REF_AREA", "TIME_PERIOD_START"]
COUNTRIES = ["MEX", "GTM", "HND", "SLV", "NIC", "CRI", "PAN", "BLZ"]


class Shuffled(SourceImporter):
    """Population of eight countries, 1990-2024, handed over in random order."""

    id = "specimen_shuffled_population"
    dataflow_id = FLOW
    provider_id = "WB"
    provider_name = {"es": "Banco Mundial", "en": "World Bank"}
    files = ()

    def read(self, directory: Path = Path()) -> pa.Table:
        rows = [(area, str(year)) for area in COUNTRIES for year in range(1990, 2025)]
        random.Random(7).shuffle(rows)
        return pa.table(
            {
                "FREQ": ["A"] * len(rows),
                "REF_AREA": [area for area, _ in rows],
                "TIME_PERIOD": [year for _, year in rows],
                "OBS_VALUE": [float(i) for i in range(len(rows))],
            }
        )


@pytest.fixture(scope="module")
def release_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    platform = Platform.initialise(settings_for(tmp_path_factory.mktemp("shuffled")))
    load_source(Shuffled(), platform.standard, platform.records, platform.warehouse)
    release = Catalog(PublishedData(platform)).summary(FLOW).release
    assert release is not None
    return platform.warehouse.path(release.parquet_file)


def in_key_order(table: pa.Table) -> bool:
    keys = list(zip(*(table.column(k).to_pylist() for k in KEYS), strict=True))
    return keys == sorted(keys)


def test_a_release_file_is_in_key_order_and_says_so(release_file):
    """Fails if the release is written in the order the provider's rows came in."""
    table = pq.read_table(release_file)
    assert table.num_rows == len(COUNTRIES) * 35 and in_key_order(table)
    assert ReleaseReader().sorted_by(release_file)[: len(KEYS)] == tuple(KEYS)


def test_pages_of_a_sorted_release_are_key_order_slices(release_file):
    whole = pq.read_table(release_file)
    for offset, limit in [(0, 5), (33, 40), (270, 100)]:
        page = ReleaseReader().observations(
            release_file, ["REF_AREA", "TIME_PERIOD"], DataQuery(limit=limit, offset=offset), KEYS
        )
        assert page.to_pylist() == whole.select(["REF_AREA", "TIME_PERIOD"]).slice(offset, limit).to_pylist()


def test_a_file_that_does_not_say_it_is_sorted_is_sorted_when_read(release_file, tmp_path):
    """Fails if pages of every file are read in file order (seen red: rows in the shuffled order)."""
    table = pq.read_table(release_file)
    older = tmp_path / "older.parquet"
    order = list(range(table.num_rows))
    random.Random(3).shuffle(order)
    pq.write_table(table.take(order).replace_schema_metadata(None), older, row_group_size=64)
    assert ReleaseReader().sorted_by(older) == ()
    page = ReleaseReader().observations(older, [*KEYS, "TIME_PERIOD"], DataQuery(limit=50, offset=10), KEYS)
    assert page.to_pylist() == table.select(page.column_names).slice(10, 50).to_pylist()
