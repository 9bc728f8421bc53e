"""Benchmark: synthetic register records -> monthly nationality x sex x age x border-post table with totals.

The same run times the platform's Ibis pipeline on DuckDB and on PySpark (local mode), pandas doing the same
work the way analysts write it today, and the secondary suppression of the resulting table by tau-ARGUS.
A hand-written DuckDB query doing the same work (the finest cells, then every total with ``GROUP BY CUBE``) is
the engine's floor: the pipeline's rate is reported as a ratio to it. ``PIVGM_BENCH_RECORDS`` sets the number
of records (default 10 million); ``PIVGM_BENCH_SPARK_RECORDS`` and ``PIVGM_BENCH_PANDAS_RECORDS`` the numbers
Spark and pandas get (default: the same; pandas holds every record as Python strings, so 100 million do not fit
in 24 GB). Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from bench.report import write_section
from bench.synthetic_register import generate
from pivgm.microdata import engines, pipeline
from pivgm.microdata.engines import Engine
from pivgm.microdata.protection.config import ProtectionRules
from pivgm.microdata.protection.protect import protect
from pivgm.microdata.recipe import parse_recipe
from pivgm.model import Dataflow, Dimension
from pivgm.structures import load_standard

RECIPE = {
    "recipe": 1,
    "period": {"column": "event_date", "frequency": "M"},
    "columns": {"CITIZENSHIP": "citizenship", "SEX": "sex", "BORDER_POST": "border_post"},
    "age": {"birth_date": "birth_date", "groups": ["Y_LT18", "Y_GE18"]},
    "constants": {"FREQ": "M", "REF_AREA": "MEX", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "PS"},
}
TOTALS = ("CITIZENSHIP", "SEX", "AGE", "BORDER_POST")


def bench_dataflow() -> Dataflow:
    """DF_IRREGULAR_TRANSIT with a border-post dimension (CL_BORDER_AREA plus a total), for this table only."""
    standard = load_standard()
    flow = standard.dataflow("DF_IRREGULAR_TRANSIT")
    area = standard.codelist("CL_BORDER_AREA")
    total = replace(next(iter(standard.codelist("CL_SEX"))), id="_T")
    posts = replace(area, codes=(*area.codes, total))
    post = Dimension("BORDER_POST", len(flow.structure.dimensions), area.name, posts)
    return replace(flow, structure=replace(flow.structure, dimensions=(*flow.structure.dimensions, post)))


def run_pipeline(engine: Engine, path: Path, flow: Dataflow) -> tuple[float, pipeline.Aggregation]:
    recipe = replace(parse_recipe(RECIPE, flow), totals=TOTALS)
    started = time.perf_counter()
    connection = engines.connect(engine)
    result = pipeline.aggregate(engines.read_records(connection, engine, [path]), recipe, flow)
    return time.perf_counter() - started, result


def run_floor(path: Path) -> tuple[float, int]:
    """The same table written by hand in DuckDB SQL: no recipe, no label translation, no reasons."""
    import duckdb

    age = (
        "year(event_date) - year(birth_date) - (month(event_date) < month(birth_date) OR "
        "(month(event_date) = month(birth_date) AND day(event_date) < day(birth_date)))::INT"
    )
    finest = f"""
        SELECT citizenship, sex, {age} < 18 AS minor, border_post, year(event_date) AS y, month(event_date) AS m,
               count(*) AS n
        FROM read_parquet('{path}') GROUP BY ALL"""
    query = f"""
        WITH cells AS ({finest})
        SELECT citizenship, sex, minor, border_post, y, m, sum(n) AS n FROM cells
        GROUP BY CUBE (citizenship, sex, minor, border_post), y, m"""
    started = time.perf_counter()
    with duckdb.connect() as connection:
        cells = connection.sql(query).fetchall()
    return time.perf_counter() - started, len(cells)


def run_pandas(path: Path) -> tuple[float, int]:
    """What an analyst writes: read, derive month and age group, group by, then one group-by per total."""
    started = time.perf_counter()
    frame = pd.read_parquet(path, columns=["event_date", "birth_date", "sex", "citizenship", "border_post"])
    event, birth = pd.to_datetime(frame["event_date"]), pd.to_datetime(frame["birth_date"])
    before = (event.dt.month < birth.dt.month) | ((event.dt.month == birth.dt.month) & (event.dt.day < birth.dt.day))
    age = event.dt.year - birth.dt.year - before.astype(int)
    frame = pd.DataFrame(
        {
            "CITIZENSHIP": frame["citizenship"].astype(str),
            "SEX": frame["sex"].astype(str),
            "AGE": age.lt(18).map({True: "Y_LT18", False: "Y_GE18"}),
            "BORDER_POST": frame["border_post"].astype(str),
            "TIME_PERIOD": event.dt.strftime("%Y-%m"),
        }
    )
    keys = [*TOTALS, "TIME_PERIOD"]
    cells = frame.groupby(keys, observed=True).size().rename("OBS_VALUE").reset_index()
    parts = [cells]
    for size in range(1, len(TOTALS) + 1):
        for combination in itertools.combinations(TOTALS, size):
            kept = [k for k in keys if k not in combination]
            rolled = cells.groupby(kept, observed=True)["OBS_VALUE"].sum().reset_index()
            parts.append(rolled.assign(**dict.fromkeys(combination, "_T")))
    table = pd.concat(parts, ignore_index=True)
    return time.perf_counter() - started, len(table)


def main() -> None:
    rows = int(os.environ.get("PIVGM_BENCH_RECORDS", "10000000"))
    spark_rows = int(os.environ.get("PIVGM_BENCH_SPARK_RECORDS", str(rows)))
    pandas_rows = int(os.environ.get("PIVGM_BENCH_PANDAS_RECORDS", str(rows)))
    flow = bench_dataflow()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pivgm-bench-") as tmp:
        path = generate(Path(tmp) / "register.parquet", rows)
        size_mb = path.stat().st_size / 1e6
        duck_seconds, result = run_pipeline(Engine.DUCKDB, path, flow)
        duck_again, _ = run_pipeline(Engine.DUCKDB, path, flow)
        duck_seconds = min(duck_seconds, duck_again)
        print(f"DuckDB {duck_seconds:.1f} s", flush=True)
        floor_seconds, floor_cells = min(run_floor(path), run_floor(path))
        assert floor_cells == result.cells.num_rows, (floor_cells, result.cells.num_rows)
        print(f"DuckDB SQL by hand {floor_seconds:.1f} s", flush=True)
        pandas_path = path if pandas_rows == rows else generate(Path(tmp) / "pandas.parquet", pandas_rows)
        pandas_seconds, pandas_cells = run_pandas(pandas_path)
        if pandas_rows == rows:
            assert pandas_cells == result.cells.num_rows, (pandas_cells, result.cells.num_rows)
        print(f"pandas {pandas_seconds:.1f} s", flush=True)
        spark_path = path if spark_rows == rows else generate(Path(tmp) / "spark.parquet", spark_rows)
        engines.spark_session(None)  # started before the clock: a session takes seconds
        spark_seconds, spark_result = run_pipeline(Engine.SPARK, spark_path, flow)
        print(f"Spark {spark_seconds:.1f} s", flush=True)
        if spark_rows == rows:
            assert spark_result.cells.to_pylist() == result.cells.to_pylist(), "Spark and DuckDB disagree"
    keys = [*TOTALS, "TIME_PERIOD"]
    rules = ProtectionRules(threshold=3, protection_level=3)
    started = time.perf_counter()
    protected, report = protect(result.cells, keys, TOTALS, rules)
    sdc_seconds = time.perf_counter() - started
    cells = result.cells.num_rows
    load = os.getloadavg()[0]
    pandas_rate = pandas_rows / pandas_seconds
    floor_rate = rows / floor_seconds

    duck_rate = rows / duck_seconds
    speedup = duck_rate / pandas_rate

    def verdict(met: bool) -> str:
        return "met" if met else "not met"

    def line(records: int, seconds: float) -> str:
        rate = records / seconds
        return f"{records:,} | {seconds:.1f} s | {rate:,.0f} | {rate / pandas_rate:.1f}x"

    body = f"""## Aggregating records (`bench/aggregate_records.py`)

{rows:,} synthetic register records (seeded, `bench/synthetic_register.py`; Parquet, {size_mb:,.0f} MB) aggregated
to the monthly nationality x sex x age group x border-post table with every total: {cells:,} cells.

| engine | records | wall time | records/s | vs pandas |
| --- | ---: | ---: | ---: | ---: |
| DuckDB (Ibis pipeline) | {line(rows, duck_seconds)} |
| DuckDB SQL written by hand for this table (the engine's floor) | {line(rows, floor_seconds)} |
| pandas (group-by per total) | {line(pandas_rows, pandas_seconds)} |
| PySpark local\\[2] (same Ibis pipeline) | {line(spark_rows, spark_seconds)} |

Secondary suppression of that table (threshold 3, protection level 3; tau-ARGUS optimal suppression with HiGHS,
one table per month): {sdc_seconds:.1f} s for {cells:,} cells in {report.tables} tables,
{sum(report.primary.values()):,} primary and {report.secondary:,} secondary cells.
Spark's time excludes starting the session; DuckDB's times are the better of two runs. The hand-written query
knows the table in advance (no recipe, no label translation, no reasons for unmapped records): the pipeline
runs at {duck_seconds / floor_seconds:.2f} times its time, so a rate the pipeline misses that the floor also
misses is the engine on this machine, not the pipeline. The issue's target scale is
100 million records; this machine is shared by several developers (2 cores; load average {load_before:.1f}
when the run started and {load:.1f} when it ended), so the run uses the size above and its rates are below
what the same code does on an idle machine.

- DuckDB {duck_rate / 1e6:.1f} M records/s, target at least 20 M: **{verdict(duck_rate >= 20e6)}** (hand-written
  SQL: {floor_rate / 1e6:.1f} M records/s)
- DuckDB {duck_rate / pandas_rate:.1f} times pandas, target at least 10 times: **{verdict(speedup >= 10)}**
- secondary suppression {sdc_seconds:.1f} s, target under 60 s: **{verdict(sdc_seconds < 60)}**
"""
    write_section("aggregate-records", body)
    print(body)
    del protected


if __name__ == "__main__":
    main()
