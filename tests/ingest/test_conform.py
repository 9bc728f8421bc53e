"""Conforming observations to a dataflow: text read dictionary-encoded may stay so (``encoded``), holding the
same observations as plain conforming gives, with the same checks and defaults."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.ingest.conform import conform
from pivgm.structures import load_standard
from tests.encodings import decoded

RETURNS = load_standard().dataflow("DF_RETURNS")


def _returns(periods: list[str], status: list[str | None] | None = None) -> pa.Table:
    """Returns of Guatemalans from Mexico, one row a period, text dictionary-encoded as a large file is read."""
    rows = len(periods)
    columns: dict[str, pa.Array] = {
        "FREQ": pa.array(["M"] * rows),
        "REF_AREA": pa.array(["MEX"] * rows),
        "RETURN_DIRECTION": pa.array(["EXEC"] * rows),
        "CITIZENSHIP": pa.array(["GTM"] * rows),
        "COUNTERPART_AREA": pa.array(["GTM"] * rows),
        "SEX": pa.array(["F", "M"] * (rows // 2) + ["F"] * (rows % 2)),
        "AGE": pa.array(["_T"] * rows),
        "ACCOMPANIMENT": pa.array(["_T"] * rows),
        "RETURN_TYPE": pa.array(["DEP"] * rows),
        "TIME_PERIOD": pa.array(periods),
        "UNIT_MEASURE": pa.array(["EVENTS"] * rows),
    }
    if status is not None:
        columns["OBS_STATUS"] = pa.array(status, pa.string())
    encoded = {name: array.dictionary_encode() for name, array in columns.items()}
    return pa.table({**encoded, "OBS_VALUE": pa.array([float(i) for i in range(rows)])})


def test_encoded_observations_are_the_plain_ones_with_their_text_kept_encoded():
    table = _returns(["2024-01", "2024-02", "2024-03", "2024-04"], status=["E", None, "A", None])
    plain = conform(table, RETURNS, "returns.csv", validated=True)
    encoded = conform(table, RETURNS, "returns.csv", validated=True, encoded=True)

    assert all(pa.types.is_string(f.type) for f in plain.schema if f.name != "OBS_VALUE")
    text = [f for f in encoded.schema if f.name != "OBS_VALUE"]
    assert text and all(pa.types.is_dictionary(f.type) for f in text)  # attributes the file lacks too
    assert encoded.column_names == plain.column_names
    assert decoded(encoded).equals(plain)
    assert encoded.column("OBS_STATUS").to_pylist() == ["E", "A", "A", "A"]  # the default where it was empty
    assert encoded.column("UNIT_MULT").to_pylist() == ["0"] * 4  # a default for a column the file lacks
    assert encoded.column("OBS_COMMENT").to_pylist() == [None] * 4  # no default: empty


@pytest.mark.parametrize("encoded", [False, True])
def test_a_malformed_period_is_named_with_its_observation_either_way(encoded: bool):
    table = _returns(["2024-01", "2024-02", "2024-13", "2024-03"])
    with pytest.raises(SourceFormatError, match=r"period '2024-13' .*\(observation 3\)"):
        conform(table, RETURNS, "returns.csv", validated=True, encoded=encoded)


def test_plain_conforming_turns_encoded_text_into_text():
    conformed = conform(_returns(["2024-01", "2024-02"]), RETURNS, "returns.csv")
    assert conformed.schema.field("CITIZENSHIP").type == pa.string()
