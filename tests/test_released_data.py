"""What the demo publishes obeys the standard: every code in its codelist, every name bilingual.

Marked ``records``: the demo's load of every real source into the records runs on PostgreSQL through it."""

from __future__ import annotations

import pytest

from pivgm.catalog import Catalog
from pivgm.catalog.published import PublishedData
from pivgm.structures import load_standard

pytestmark = pytest.mark.records

DATAFLOWS = sorted(load_standard().dataflows)


@pytest.mark.parametrize("dataflow_id", DATAFLOWS)
def test_every_code_in_a_release_is_in_its_codelist(demo_platform, dataflow_id):
    dataflow = demo_platform.standard.dataflow(dataflow_id)
    counts = Catalog(PublishedData(demo_platform)).code_counts(dataflow_id)
    assert counts, f"{dataflow_id} has no release"
    for dimension in dataflow.structure.dimensions:
        if dimension.codelist is not None:
            assert set(counts[dimension.id]) <= dimension.codelist.ids(), dimension.id


@pytest.mark.parametrize("dataflow_id", DATAFLOWS)
def test_every_dataflow_is_published_with_bilingual_names_and_metadata(demo_platform, dataflow_id):
    dataflow = demo_platform.standard.dataflow(dataflow_id)
    assert demo_platform.records.published_releases()[dataflow_id].row_count > 0
    texts = [
        dataflow.name,
        dataflow.description,
        dataflow.metadata.definition,
        dataflow.metadata.source,
        dataflow.metadata.coverage,
        dataflow.metadata.methodology,
        dataflow.metadata.comparability,
    ]
    for text in texts:
        assert text.missing_languages() == []
    for component in (*dataflow.structure.dimensions, *dataflow.structure.attributes):
        assert component.name.missing_languages() == [], component.id
