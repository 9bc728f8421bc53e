"""The rows-kept conditions of the guided upload: each operator keeps the rows it names, and the recipe
entry it becomes keeps the very same rows (so the count the page shows is what loads)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pivgm.errors import InvalidParameterError
from pivgm.ingest.readers import RawTable
from pivgm.ingest.recipes import parse_recipe
from pivgm.ingest.recipes.steps import filter_columns
from pivgm.workflow.row_filters import RowCondition, choices, from_recipe, keep, parse_conditions

TABLE = pa.table({"area": ["TOTAL", "TOTAL", " Urbana ", "Rural", ""], "n": ["1", "2", "3", "4", "5"]})
CASES = [
    ("equals", ["TOTAL"], ["1", "2"]),
    ("not_equals", ["TOTAL"], ["3", "4", "5"]),
    ("in", ["Urbana", "Rural"], ["3", "4"]),
    ("not_in", ["Urbana", "Rural"], ["1", "2", "5"]),
    ("empty", [], ["5"]),
    ("not_empty", [], ["1", "2", "3", "4"]),
]


@pytest.mark.parametrize(("operator", "values", "kept"), CASES)
def test_each_operator_keeps_the_same_rows_on_the_page_and_in_the_recipe(operator, values, kept):
    condition = RowCondition("area", operator, tuple(values))
    assert keep(TABLE, [condition]).column("n").to_pylist() == kept
    recipe = parse_recipe(f"recipe: 1\nfilters: [{condition.recipe_filter()!r}]\n".replace("'", '"'), "form")
    raw = RawTable(TABLE, list(range(2, 7)), "file.csv", "csv")
    assert filter_columns(recipe, raw)[0].table.column("n").to_pylist() == kept


def test_conditions_combine_with_and_and_incomplete_ones_are_named():
    both = parse_conditions([("area", "not_empty", ["ignored"]), ("n", "in", ["1", "3", "4"]), ("", "in", ["x"])])
    assert [c.values for c in both] == [(), ("1", "3", "4")]  # a row without a column is no condition
    assert keep(TABLE, both).column("n").to_pylist() == ["1", "3", "4"]
    assert RowCondition("area", "equals", ("TOTAL", "Rural")).problem == "filter_needs_one_value"
    assert RowCondition("area", "not_in").problem == "filter_needs_values"
    with pytest.raises(InvalidParameterError, match="Unknown condition 'drop table' on 'area'"):
        parse_conditions([("area", "drop table", ["TOTAL"])])


def test_the_values_to_pick_from_are_distinct_trimmed_and_without_the_empty_one():
    assert choices(TABLE, "area") == ["Rural", "TOTAL", "Urbana"]
    assert choices(TABLE, "no such column") == []


def test_a_saved_recipe_gives_back_the_conditions_it_was_made_of_and_leaves_out_what_the_page_cannot_show():
    made = [RowCondition("area", operator, tuple(values)) for operator, values, _kept in CASES]
    saved = [condition.recipe_filter() for condition in made]
    others = [{"column": "area", "regex": "^T"}, {"code": "REF_AREA", "known": True}]
    assert from_recipe([*saved, *others]) == made
