"""Plausibility rules: numbers that are possible but suspicious. Warnings, except impossible negatives."""

from __future__ import annotations

import pyarrow as pa

from pivgm.ingest.report import Severity
from pivgm.ingest.rules.base import NOTHING, Found, Rule, ValidationContext

Z_LIMIT = 3.5  # Iglewicz and Hoaglin's threshold for the modified z-score
JUMP_FACTOR = 10.0
MIN_SERIES_LENGTH = 5
COUNT_UNITS = {"PS", "EVENTS", "CASES", "INCIDENTS", "TRANSACTIONS"}


def _series(context: ValidationContext) -> list[str]:
    structure = context.dataflow.structure
    return [d for d in structure.dimension_ids if d in context.present]


class NegativeCount(Rule):
    type = "negative-count"
    severity = Severity.ERROR
    messages = {
        "es": "El valor {value} es negativo, pero cuenta personas o eventos; revise el signo.",
        "en": "Value {value} is negative, but it counts people or events; check the sign.",
    }

    def check(self, context: ValidationContext) -> Found:
        if context.dataflow.defaults.get("UNIT_MEASURE", "PS") not in COUNT_UNITS:
            return NOTHING
        measure = context.dataflow.structure.measure.id
        return self.from_rows(context.checks.negative_values(measure), context.label(measure))


class TotalMismatch(Rule):
    type = "total-mismatch"
    severity = Severity.ERROR
    messages = {
        "es": "El total ({value}) no es igual a la suma de sus partes en {column} ({parts}). Corrija el total o "
        "las partes.",
        "en": "The total ({value}) does not equal the sum of its parts in {column} ({parts}). Correct the total "
        "or the parts.",
    }

    def check(self, context: ValidationContext) -> Found:
        structure = context.dataflow.structure
        keys = [*_series(context), structure.time_dimension]
        issues, total = [], 0
        for dimension in structure.dimensions:
            if dimension.codelist is None or dimension.id not in context.present or "_T" not in dimension.codelist:
                continue
            parts = self._parts(dimension.id)
            if not parts:
                continue
            others = [k for k in keys if k != dimension.id]
            rows = context.checks.total_mismatches(dimension.id, "_T", parts, others, structure.measure.id)
            found, count = self.from_rows(
                rows, context.label(dimension.id), "total", parts=lambda r: f"{r['parts_sum']:g}"
            )
            issues += found
            total += count
        return issues, total

    @staticmethod
    def _parts(dimension_id: str) -> list[str]:
        """Exhaustive partitions of a total, where the standard defines one."""
        return {"SEX": ["F", "M"]}.get(dimension_id, [])


class SeriesAnomaly(Rule):
    """Values far from their series' history (modified z-score) or jumping tenfold from one period."""

    type = "outlier"
    severity = Severity.WARNING
    messages = {
        "es": "El valor {value} se aleja mucho de la historia de su serie (z modificado {z}). Confirme que es "
        "correcto.",
        "en": "Value {value} is far from its series' history (modified z-score {z}). Confirm it is correct.",
    }

    def check(self, context: ValidationContext) -> Found:
        anomalies = self._anomalies(context)
        if anomalies is None:
            return NOTHING
        rows = anomalies.filter(anomalies.column("outlier").fill_null(False))
        rows = rows.filter(rows.column("n").to_numpy() >= MIN_SERIES_LENGTH) if rows.num_rows else rows
        measure = context.dataflow.structure.measure.id
        return self.from_rows(rows, context.label(measure), z=lambda r: f"{r['z']:.1f}")

    @staticmethod
    def _anomalies(context: ValidationContext) -> pa.Table | None:
        if "series_anomalies" not in context.memo:
            context.memo["series_anomalies"] = SeriesAnomaly._compute(context)
        return context.memo["series_anomalies"]

    @staticmethod
    def _compute(context: ValidationContext) -> pa.Table | None:
        structure = context.dataflow.structure
        series = _series(context)
        if structure.time_dimension not in context.present or not series:
            return None
        return context.checks.series_anomalies(
            series, structure.time_dimension, structure.measure.id, context.history, Z_LIMIT, JUMP_FACTOR
        )


class SeriesBreak(SeriesAnomaly):
    type = "series-break"
    severity = Severity.WARNING
    messages = {
        "es": "El valor {value} es al menos diez veces mayor o menor que el del periodo anterior ({previous}). "
        "¿Hay un cambio de método o un error de unidades?",
        "en": "Value {value} is at least ten times larger or smaller than the previous period's ({previous}). "
        "Is there a change of method or a unit error?",
    }

    def check(self, context: ValidationContext) -> Found:
        anomalies = self._anomalies(context)
        if anomalies is None:
            return NOTHING
        rows = anomalies.filter(anomalies.column("jump").fill_null(False))
        measure = context.dataflow.structure.measure.id
        return self.from_rows(rows, context.label(measure), previous=lambda r: f"{r['previous']:g}")


class MissingPeriod(Rule):
    type = "missing-period"
    severity = Severity.WARNING
    messages = {
        "es": "A la serie {value} le faltan {missing} periodo(s) entre su primer y su último periodo.",
        "en": "Series {value} lacks {missing} period(s) between its first and last period.",
    }

    def check(self, context: ValidationContext) -> Found:
        structure = context.dataflow.structure
        if structure.time_dimension not in context.present:
            return NOTHING
        rows = context.checks.missing_periods(_series(context), structure.time_dimension)
        return self.from_rows(rows, context.label(structure.time_dimension), "series", missing=lambda r: r["missing"])


PLAUSIBILITY_RULES: tuple[Rule, ...] = (
    NegativeCount(),
    TotalMismatch(),
    SeriesAnomaly(),
    SeriesBreak(),
    MissingPeriod(),
)
