"""Text columns are held with the narrowest indices that fit, and compare the same whatever their width."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from pivgm.warehouse.encoding import combined_codes, combined_codes_with, encode, positions_in


@pytest.mark.parametrize(
    ("distinct", "width"), [(3, pa.int8()), (125, pa.int8()), (126, pa.int16()), (40_000, pa.int32())]
)
def test_a_column_holds_one_two_or_four_bytes_per_row_by_its_distinct_values(distinct: int, width: pa.DataType):
    column = encode(pa.array([f"v{i % distinct}" for i in range(2 * distinct)]))
    assert column.indices.type == width
    assert column.dictionary_decode().to_pylist() == [f"v{i % distinct}" for i in range(2 * distinct)]


def test_rows_equal_in_every_column_get_one_code_whatever_the_widths_of_the_columns():
    few = [f"s{i % 3}" for i in range(400)]  # one byte
    many = [f"c{i % 200}" for i in range(400)]  # two bytes
    codes = combined_codes([encode(pa.array(few)), encode(pa.array(many))], 400)
    pairs = list(zip(few, many, strict=True))
    assert all((codes[i] == codes[j]) == (pairs[i] == pairs[j]) for i in range(0, 400, 7) for j in range(0, 400, 11))


def test_published_rows_are_numbered_as_the_submitted_rows_and_unknown_values_are_left_out():
    submitted = [encode(pa.array(["MEX", "GTM", None, "MEX"])), encode(pa.array(["F", "M", "F", "F"]))]
    published = [pa.array(["GTM", "MEX", "BLZ", "MEX"]).dictionary_encode(), pa.array(["M", "F", "F", "X"])]
    codes, other, matched = combined_codes_with(submitted, 4, published, 4)
    assert matched.tolist() == [0, 1]  # BLZ and X occur in no submitted row
    assert other.tolist() == [codes[1], codes[0]]
    assert positions_in(published[0], submitted[0]).type == pa.int8()
    assert np.unique(codes).size == 3  # MEX.F twice
