"""``pivgm aggregate`` as a library call: records -> protected table -> submission, with a report."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pivgm.errors import InvalidParameterError
from pivgm.microdata import engines, pipeline, records
from pivgm.microdata.columns import PERIOD
from pivgm.microdata.engines import Engine
from pivgm.microdata.protection.config import ProtectionRules
from pivgm.microdata.protection.protect import ProtectionReport, protect
from pivgm.microdata.recipe import Recipe
from pivgm.microdata.submission import submission_csv
from pivgm.model import Dataflow

Progress = Callable[[str, int, int], None]


@dataclass
class AggregationReport:
    """What went in and what came out: records read, left out by reason, cells, and protection."""

    files: list[str]
    records: int
    unmapped: dict[str, int]
    cells: int
    protection: ProtectionReport
    engine: str
    notes: list[str] = field(default_factory=list)

    @property
    def aggregated(self) -> int:
        return self.records - sum(self.unmapped.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "engine": self.engine,
            "records": self.records,
            "aggregated": self.aggregated,
            "unmapped": self.unmapped,
            "cells": self.cells,
            "protection": self.protection.to_dict(),
        }


@dataclass
class AggregationResult:
    submission: str
    report: AggregationReport


def aggregate_records(
    inputs: Sequence[Path],
    recipe: Recipe,
    dataflow: Dataflow,
    rules: ProtectionRules,
    *,
    engine: Engine = Engine.DUCKDB,
    spark_master: str | None = None,
    progress: Progress = lambda _stage, _done, _total: None,
    record_key_secret: str = "",
) -> AggregationResult:
    """Read, map, aggregate and protect the records; the submission text and its report. The secret (the
    office's own, never published) goes into every record key of the cell-key method."""
    keyed = rules.method == "cell_key"
    if keyed and recipe.measure is not None:
        raise InvalidParameterError("the cell-key method perturbs counts: for a measure, use suppression.")
    if keyed and not recipe.record_key:
        raise InvalidParameterError(
            "the cell-key method needs record_key in the recipe: the fields that identify a record "
            "(an id, or every field of the register), the same in every recipe for the same records."
        )
    files = records.input_files(inputs)
    with tempfile.TemporaryDirectory(prefix="pivgm-records-") as workdir:
        done = iter(range(1, len(files) + 1))
        staged = records.stage(
            files,
            recipe.fields,
            recipe.delimiter,
            Path(workdir),
            lambda _p: progress("reading", next(done), len(files)),
        )
        connection = engines.connect(engine, spark_master)
        table = engines.read_records(connection, engine, staged.files)
        result = pipeline.aggregate(
            table,
            recipe,
            dataflow,
            lambda stage: progress(stage, 0, 0),
            record_key_secret=record_key_secret if keyed else None,
        )
    unmapped = dict(result.unmapped)
    if staged.malformed:
        unmapped["malformed-line"] = staged.malformed
    keys = [*recipe.mapped_dimensions, PERIOD]
    protected, protection = protect(
        result.cells,
        keys,
        recipe.totals,
        rules,
        magnitude=recipe.measure is not None,
        step=lambda done_tables, all_tables: progress("protecting", done_tables, all_tables),
    )
    report = AggregationReport(
        files=staged.sources,
        records=staged.read_lines,
        unmapped=dict(sorted(unmapped.items())),
        cells=protected.num_rows,
        protection=protection,
        engine=engine.value,
    )
    return AggregationResult(submission_csv(protected, dataflow, recipe.constants), report)
