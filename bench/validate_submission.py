"""Benchmark: validate and load a large national submission, against frictionless and pandera on the same file.

The file is synthetic (only for this benchmark), generated from the real codelists: a national layout with
Spanish headers, `;` and decimal commas, as Mexico's UPM would send monthly irregular-situation events by
nationality. Targets (issue 3): at least 1 million rows/s validated on 2 cores, and at least 10 times faster
than frictionless. Measured twice: on an empty platform, and with published history (the first file
published, then a revision of every value submitted: the revisions rule compares each row with the published
value and the load merges with the previous version). Run: python -m bench.validate_submission [ROWS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from bench.report import write_section
from pivgm.accounts.actor import system_actor
from pivgm.ingest.mapping import Mapping
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.structures import load_standard
from pivgm.workflow.overrides import publish
from pivgm.workflow.submissions import SubmissionRequest, check_file, submit

FLOW = "DF_RETURNS"
MAPPING = Mapping(
    columns={
        "CITIZENSHIP": "Nacionalidad",
        "SEX": "Sexo",
        "AGE": "Edad",
        "RETURN_TYPE": "Tipo",
        "TIME_PERIOD": "Mes",
        "OBS_VALUE": "Eventos",
        "COUNTERPART_AREA": "Destino",
    },
    values={"SEX": {"Hombres": "M", "Mujeres": "F"}},
    constants={
        "FREQ": "M",
        "REF_AREA": "MEX",
        "RETURN_DIRECTION": "EXEC",
        "ACCOMPANIMENT": "_T",
        "UNIT_MEASURE": "EVENTS",
    },
)


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Unique keys: nationality x destination x sex x age x type x month, values with decimal commas."""
    standard = load_standard()
    areas = sorted(c for c in standard.codelist("CL_AREA").ids() if len(c) == 3 and c.isalpha())
    ages = ["Y_GE18", "Y_LT18", "Y12T17", "Y_LT12", "_T"]
    types = ["DEP", "AVR", "AVR_CHILD", "_T"]
    months = [f"{y}-{m:02d}" for y in range(1990, 2026) for m in range(1, 13)]
    rng = np.random.default_rng(seed)
    index = np.arange(rows)
    month = index % len(months)
    rest = index // len(months)
    sex = rest % 2
    rest //= 2
    age = rest % len(ages)
    rest //= len(ages)
    kind = rest % len(types)
    rest //= len(types)
    nationality = rest % len(areas)
    destination = (rest // len(areas)) % len(areas)
    table = pa.table(
        {
            "Nacionalidad": pa.array(np.array(areas)[nationality]),
            "Destino": pa.array(np.array(areas)[destination]),
            "Sexo": pa.array(np.array(["Hombres", "Mujeres"])[sex]),
            "Edad": pa.array(np.array(ages)[age]),
            "Tipo": pa.array(np.array(types)[kind]),
            "Mes": pa.array(np.array(months)[month]),
            "Eventos": pa.array([f"{v:.1f}".replace(".", ",") for v in rng.integers(1, 5000, rows) / 1.0]),
        }
    )
    pacsv.write_csv(table, path, pacsv.WriteOptions(delimiter=";", quoting_style="none"))


def time_it(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def frictionless_seconds(path: Path) -> float:
    from frictionless import Dialect, Resource, formats, validate

    dialect = Dialect(controls=[formats.CsvControl(delimiter=";")])
    resource = Resource(path=path.name, basepath=str(path.parent), dialect=dialect)
    report = None

    def run() -> None:
        nonlocal report
        report = validate(resource)

    seconds = time_it(run)
    assert report is not None and report.valid, report.flatten(["type", "message"]) if report else None
    return seconds


def pandera_seconds(path: Path) -> float:
    import pandas as pd
    import pandera.pandas as pa_schema

    areas = sorted(load_standard().codelist("CL_AREA").ids())
    schema = pa_schema.DataFrameSchema(
        {
            "Nacionalidad": pa_schema.Column(str, pa_schema.Check.isin(areas)),
            "Destino": pa_schema.Column(str, pa_schema.Check.isin(areas)),
            "Sexo": pa_schema.Column(str, pa_schema.Check.isin(["Hombres", "Mujeres"])),
            "Mes": pa_schema.Column(str, pa_schema.Check.str_matches(r"^\d{4}-(0[1-9]|1[0-2])$")),
            "Eventos": pa_schema.Column(float, pa_schema.Check.ge(0)),
        }
    )
    return time_it(lambda: schema.validate(pd.read_csv(path, sep=";", decimal=",", keep_default_na=False)))


def shuffled_copy(path: Path, target: Path) -> None:
    """The same rows in random order (files are usually in series order; this measures the other case)."""
    options = pacsv.ParseOptions(delimiter=";")
    table = pacsv.read_csv(path, parse_options=options, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    order = np.random.default_rng(11).permutation(table.num_rows)
    table = table.cast(pa.schema([pa.field(name, pa.string()) for name in table.column_names]))
    pacsv.write_csv(table.take(order), target, pacsv.WriteOptions(delimiter=";", quoting_style="none"))


def median_seconds(action, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    return float(np.median([time_it(action) for _ in range(runs)]))


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "devoluciones.csv"
        generate(path, rows)
        warm_up = Path(folder) / "warm_up.csv"
        generate(warm_up, 20_000)
        shuffled = Path(folder) / "devoluciones_desordenadas.csv"
        shuffled_copy(path, shuffled)
        size_mb = path.stat().st_size / 1e6
        platform = Platform.initialise(Settings(data_dir=Path(folder) / "data", max_upload_mb=10_000))

        def request(source: Path, load: bool = False) -> SubmissionRequest:
            return SubmissionRequest("MX_UPM", FLOW, source.name, source.read_bytes(), MAPPING, load=load)

        check_file(platform, request(warm_up))  # imports and first-use costs, for both tools alike
        frictionless_seconds(warm_up)
        ordered_request, shuffled_request = request(path), request(shuffled)
        report = check_file(platform, ordered_request).report
        assert report.valid, report.to_dict()["rules"]
        checked_time = median_seconds(lambda: check_file(platform, ordered_request))
        shuffled_time = time_it(lambda: check_file(platform, shuffled_request))
        load_request = request(path, load=True)
        loaded = []
        load_time = time_it(lambda: loaded.append(submit(platform, load_request)))
        friction = frictionless_seconds(path)
        pandera = pandera_seconds(path)
        # With published history: the first file published, then every value revised.
        publish(platform, system_actor("bench"), loaded[0].version.id, "benchmark: published history")
        revised = Path(folder) / "devoluciones_revisadas.csv"
        generate(revised, rows, seed=8)
        revised_request = request(revised)
        revised_report = check_file(platform, revised_request).report
        assert revised_report.valid and "revises-published-value" in revised_report.rules
        history_time = median_seconds(lambda: check_file(platform, revised_request))
        revised_load = request(revised, load=True)
        history_load_time = time_it(lambda: submit(platform, revised_load))
    lines = [
        f"## Validating and loading a {rows:,}-row national submission ({size_mb:.0f} MB CSV)",
        "",
        "Synthetic file from the real codelists (`;`, decimal commas, Spanish labels), every rule of the "
        "platform run (structural, plausibility, revisions). The history rows repeat the measure after the "
        "first file is published and a file revising every value is submitted. Each tool runs once on a "
        "20,000-row file first; "
        "PIVGM's validation time is the median of three runs, the others are single runs. frictionless checks "
        "structure and types; pandera here checks five columns (codes, a period pattern, a bound) and no keys, "
        "series or totals, so it is a floor rather than a like-for-like comparison.",
        "",
        "| step | seconds | rows/s |",
        "| --- | ---: | ---: |",
        f"| PIVGM: read + map + validate | {checked_time:.1f} | {rows / checked_time:,.0f} |",
        f"| PIVGM: the same rows in random order | {shuffled_time:.1f} | {rows / shuffled_time:,.0f} |",
        f"| PIVGM: archive + validate + load a new version | {load_time:.1f} | {rows / load_time:,.0f} |",
        f"| PIVGM with published history: read + map + validate | {history_time:.1f} | {rows / history_time:,.0f} |",
        f"| PIVGM with published history: archive + validate + merge + load | {history_load_time:.1f} | "
        f"{rows / history_load_time:,.0f} |",
        f"| frictionless validate (structure and types only) | {friction:.1f} | {rows / friction:,.0f} |",
        f"| pandera on pandas (5 column checks) | {pandera:.1f} | {rows / pandera:,.0f} |",
        "",
        f"- validation at {rows / checked_time / 1e6:.2f} M rows/s, target 1 M rows/s: "
        f"**{'met' if rows / checked_time >= 1e6 else 'NOT met'}**"
        f" ({rows / shuffled_time / 1e6:.2f} M rows/s with the rows shuffled)",
        f"- {friction / checked_time:.1f} times faster than frictionless, target 10 times: "
        f"**{'met' if friction / checked_time >= 10 else 'NOT met'}**"
        f" ({friction / shuffled_time:.1f} times with the rows shuffled)",
        f"- with published history (every row revises a published value): validation at "
        f"{rows / history_time / 1e6:.2f} M rows/s, target 1 M rows/s: "
        f"**{'met' if rows / history_time >= 1e6 else 'NOT met'}**; {friction / history_time:.1f} times faster than "
        f"frictionless, target 10 times: **{'met' if friction / history_time >= 10 else 'NOT met'}**; loading "
        f"{history_load_time / load_time:.1f} times the fresh load",
    ]
    write_section("validate-submission", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000)
