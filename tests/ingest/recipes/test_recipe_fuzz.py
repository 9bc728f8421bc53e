"""Random recipes over random tables: a validation report or a clear error, never anything else."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pivgm.errors import SourceFormatError
from pivgm.ingest.recipes import RecipeError, map_table, parse_recipe, read_with_recipe
from pivgm.ingest.validate import validate
from pivgm.structures import load_standard

NAMES = ["A", "B", "Año", "Sexo", "País", "1990", "2020 / Hombres", "Nope"]
CELLS = st.sampled_from(["Mexico", "Hombres", "2020", "Ene-2024", "FY2023", "1.234", "..", "", "x", "7", "s/d", "1/"])
COMPONENTS = ["FREQ", "REF_AREA", "COUNTERPART_AREA", "SEX", "TIME_PERIOD", "OBS_VALUE", "NOPE"]
CONDITION = st.one_of(
    st.fixed_dictionaries({"equals": CELLS}),
    st.fixed_dictionaries({"in": st.lists(CELLS, min_size=1, max_size=3)}),
    st.fixed_dictionaries({"regex": st.sampled_from(["^M", "[", "\\d+", "(a|b)"])}),
)
FILTER = st.one_of(
    st.builds(lambda c, cond: {"column": c, **cond}, st.sampled_from(NAMES), CONDITION),
    st.builds(lambda c, cond: {"code": c, **cond}, st.sampled_from(COMPONENTS), CONDITION),
    st.builds(lambda c, cond: {"column": c, "not": cond}, st.sampled_from(NAMES), CONDITION),
    st.builds(lambda c: {"code": c, "known": True}, st.sampled_from(COMPONENTS)),
)
COMPUTED = st.one_of(
    st.builds(lambda cs: {"into": "calc", "sum": cs}, st.lists(st.sampled_from(NAMES), min_size=1, max_size=3)),
    st.builds(lambda a, b: {"into": "calc", "difference": [a, b]}, st.sampled_from(NAMES), st.sampled_from(NAMES)),
    st.builds(lambda c, m: {"into": "calc", "column": c, "multiply": m}, st.sampled_from(NAMES), st.integers(-3, 1000)),
)
RECIPES = st.fixed_dictionaries(
    {"recipe": st.just(1)},
    optional={
        "read": st.fixed_dictionaries(
            {}, optional={"header_rows": st.integers(1, 3), "skip_rows": st.integers(0, 3), "end": st.just("^Total")}
        ),
        "missing": st.lists(st.sampled_from(["x", "s/d", "n.d."]), max_size=2),
        "footnote_marks": st.one_of(st.booleans(), st.just(["1/", "*"])),
        "hierarchy": st.builds(lambda c: {"column": c, "into": "path"}, st.sampled_from(NAMES)),
        "unpivot": st.one_of(
            st.builds(
                lambda cs: {"columns": cs}, st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True)
            ),
            st.just({"columns": {"pattern": "^\\d"}, "into": ["year"]}),
            st.just({"columns": {"except": ["A"]}, "into": ["year", "sex"]}),
        ),
        "computed": st.lists(COMPUTED, max_size=2),
        "filters": st.lists(FILTER, max_size=3),
        "period": st.builds(
            lambda c, f: {"column": c, "format": f},
            st.sampled_from([*NAMES, "year"]),
            st.sampled_from(["auto", "day_month", "timestamp", "fiscal_year"]),
        ),
        "columns": st.dictionaries(st.sampled_from(COMPONENTS), st.sampled_from([*NAMES, "value", "calc"]), max_size=4),
        "constants": st.dictionaries(st.sampled_from(COMPONENTS), st.sampled_from(["A", "MEX", "_T", "x"]), max_size=3),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECIPES, st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=6), st.data())
def test_any_recipe_over_any_table_gives_a_report_or_a_clear_error(document, body, data):
    header = data.draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True))
    dataflow = load_standard().dataflow("DF_MIG_STOCK")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_text("\n".join(";".join(row) for row in [header, *body]) + "\n", encoding="utf-8")
        try:
            recipe = parse_recipe(yaml.safe_dump(document, allow_unicode=True), "fuzz.yaml")
            applied = map_table(read_with_recipe(path, recipe, file_name="data.csv"), recipe, dataflow)
        except RecipeError as error:
            assert error.message.startswith("fuzz.yaml")  # says which recipe (and line) to fix
            event("recipe error")
            return
        except SourceFormatError as error:
            assert error.message.startswith("data.csv")  # says which file is unreadable
            event("file error")
            return
    outcome = validate(applied.mapped, dataflow, file_name="data.csv", decimal=applied.mapping.decimal or ".")
    assert outcome.report.rows == applied.mapped.table.num_rows
    event("valid" if outcome.report.valid else "report with errors")
    if outcome.report.valid:
        assert outcome.observations is not None
    else:
        assert outcome.observations is None  # nothing of an invalid file is ever loaded
