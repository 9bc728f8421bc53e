"""Structural rules: the file has what the dataflow needs, in the forms the standard allows."""

from __future__ import annotations

import difflib

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.ingest.report import Severity
from pivgm.ingest.rules.base import NOTHING, Found, Rule, ValidationContext
from pivgm.model import Attribute, Codelist, Dimension

# Calendar periods (2023, 2023-Q3, 2023-07) and the SDMX reporting periods (2022-A1, 2022-S1, 2022-M01),
# which count from the REPORTING_YEAR_START_DAY attribute (see pivgm.model.periods).
FREQUENCY_PATTERNS = {
    "A": r"\d{4}(-A1)?",
    "S": r"\d{4}-S[12]",
    "Q": r"\d{4}-Q[1-4]",
    "M": r"\d{4}-M?(0[1-9]|1[0-2])",
}
ANY_PERIOD = r"\d{4}(-A1|-S[12]|-Q[1-4]|-M?(0[1-9]|1[0-2]))?"
REPORTING_ONLY = r"\d{4}-(A1|S[12]|M(0[1-9]|1[0-2]))"
START_DAY = "REPORTING_YEAR_START_DAY"
START_DAY_PATTERN = r"--(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])|--(0[13-9]|1[0-2])-(29|30)|--(0[13578]|1[02])-31"


def closest_codes(codelist: Codelist, value: str, n: int = 3) -> list[str]:
    """The codes whose id or name (in either language) looks most like ``value``."""
    candidates: dict[str, str] = {}
    for code in codelist:
        candidates[code.id.lower()] = code.id
        for name in code.name.texts.values():
            candidates[name.lower()] = code.id
    matches = difflib.get_close_matches(value.lower(), list(candidates), n=n * 3, cutoff=0.6)
    return list(dict.fromkeys(candidates[m] for m in matches))[:n]


class MissingColumn(Rule):
    type = "missing-column"
    severity = Severity.ERROR
    messages = {
        "es": "Falta la columna de {column}: el conjunto de datos la exige. Añádala o indique en el mapeo qué "
        "columna la contiene o qué valor fijo tiene.",
        "en": "The {column} column is missing: the dataflow requires it. Add it, or say in the mapping which "
        "column holds it or which fixed value it has.",
    }

    def check(self, context: ValidationContext) -> Found:
        structure = context.dataflow.structure
        required = [*structure.dimension_ids, structure.time_dimension, structure.measure.id]
        issues = [self.issue(1, name, None) for name in required if name not in context.present]
        return issues, len(issues)


class EmptyValue(Rule):
    type = "empty-value"
    severity = Severity.ERROR
    messages = {
        "es": "La columna {column} está vacía en esta fila; cada observación necesita un valor de {column}.",
        "en": "Column {column} is empty in this row; every observation needs a value for {column}.",
    }

    def check(self, context: ValidationContext) -> Found:
        structure = context.dataflow.structure
        issues, total = [], 0
        for component in (*structure.dimension_ids, structure.time_dimension):
            found, count = self.from_rows(context.checks.empty_values(component), context.label(component), None)
            issues += found
            total += count
        return issues, total


class InvalidNumber(Rule):
    type = "invalid-number"
    severity = Severity.ERROR
    messages = {
        "es": "«{value}» no es un número. Escriba solo cifras (por ejemplo 1234 o 1.234,5), o deje la celda "
        "vacía o con «..» si el dato no está disponible.",
        "en": "'{value}' is not a number. Write digits only (e.g. 1234 or 1,234.5), or leave the cell empty or "
        "'..' if the figure is not available.",
    }

    def check(self, context: ValidationContext) -> Found:
        measure = context.dataflow.structure.measure.id
        return self.from_rows(context.invalid_numbers, context.label(measure), "text")


class CodeNotInCodelist(Rule):
    type = "code-not-in-codelist"
    severity = Severity.ERROR
    messages = {
        "es": "«{value}» no es un código de {codelist}. Códigos parecidos: {hint}. Corrija el valor o "
        "complete el mapeo de etiquetas.",
        "en": "'{value}' is not a code of {codelist}. Similar codes: {hint}. Correct the value or complete the "
        "label mapping.",
    }

    def check(self, context: ValidationContext) -> Found:
        structure = context.dataflow.structure
        issues, total = [], 0
        components: list[Dimension | Attribute] = [*structure.dimensions, *structure.attributes]
        for component in components:
            codelist = component.codelist
            if codelist is None or component.id not in context.present:
                continue
            rows = context.checks.values_not_in(component.id, sorted(codelist.ids()))

            def hint(record: dict[str, object], codelist: Codelist = codelist) -> str:
                return ", ".join(closest_codes(codelist, str(record["value"]))) or "—"

            found, count = self.from_rows(rows, context.label(component.id), codelist=codelist.id, hint=hint)
            issues += found
            total += count
        return issues, total


class CodeNotAllowed(Rule):
    type = "code-not-allowed"
    severity = Severity.ERROR
    messages = {
        "es": "El código «{value}» es válido pero no se permite en este envío para {column}: se permiten {allowed}.",
        "en": "Code '{value}' is valid but not allowed in this submission for {column}: allowed are {allowed}.",
    }

    def check(self, context: ValidationContext) -> Found:
        issues, total = [], 0
        for component, allowed in context.allowed.items():
            if component not in context.present:
                continue
            rows = context.checks.values_not_in(component, sorted(allowed))
            codelist = context.dataflow.structure.dimension(component)
            known = codelist.codelist.ids() if codelist and codelist.codelist else frozenset()
            rows = rows.filter(pc.is_in(rows.column("value"), value_set=pa.array(sorted(known), pa.string())))
            found, count = self.from_rows(rows, context.label(component), allowed=", ".join(sorted(allowed)))
            issues += found
            total += count
        return issues, total


class InvalidPeriod(Rule):
    type = "invalid-period"
    severity = Severity.ERROR
    messages = {
        "es": "El periodo «{value}» no tiene la forma {expected}. Use AAAA (2023), AAAA-Qn (2023-Q3) o AAAA-MM "
        "(2023-07), según la frecuencia.",
        "en": "Period '{value}' does not have the form {expected}. Use YYYY (2023), YYYY-Qn (2023-Q3) or "
        "YYYY-MM (2023-07), as the frequency requires.",
    }

    def check(self, context: ValidationContext) -> Found:
        time = context.dataflow.structure.time_dimension
        if "FREQ" not in context.present:
            rows = context.checks.malformed_periods(time, ANY_PERIOD)
            return self.from_rows(rows, context.label(time), expected="YYYY, YYYY-Qn, YYYY-MM")
        issues, total = [], 0
        for frequency, pattern in FREQUENCY_PATTERNS.items():
            subset = context.checks.periods_not_matching(time, "FREQ", frequency, pattern)
            found, count = self.from_rows(subset, context.label(time), expected=f"{frequency}: {pattern}")
            issues += found
            total += count
        return issues, total


class ReportingPeriodWithoutStartDay(Rule):
    type = "reporting-period-without-start-day"
    severity = Severity.ERROR
    messages = {
        "es": "El periodo «{value}» es un periodo de informe SDMX (año fiscal) y necesita el atributo "
        "REPORTING_YEAR_START_DAY (p. ej. --10-01 para un año fiscal que empieza el 1 de octubre), que solo aceptan "
        "los conjuntos de datos que lo declaran (como DF_BORDER_ENCOUNTERS). Añada la columna, o use un periodo de "
        "calendario (2023, 2023-Q3, 2023-07).",
        "en": "Period '{value}' is an SDMX reporting period (a fiscal year) and needs the attribute "
        "REPORTING_YEAR_START_DAY (e.g. --10-01 for a fiscal year starting on 1 October), which only the dataflows "
        "that declare it (such as DF_BORDER_ENCOUNTERS) accept. Add the column, or use a calendar period (2023, "
        "2023-Q3, 2023-07).",
    }

    def check(self, context: ValidationContext) -> Found:
        time = context.dataflow.structure.time_dimension
        if time not in context.present:
            return NOTHING
        declared = context.dataflow.structure.attribute(START_DAY) is not None
        attribute = START_DAY if declared and START_DAY in context.present else None
        return self.from_rows(context.checks.periods_without(time, REPORTING_ONLY, attribute), context.label(time))


class InvalidReportingYearStartDay(Rule):
    type = "invalid-reporting-year-start-day"
    severity = Severity.ERROR
    messages = {
        "es": "REPORTING_YEAR_START_DAY «{value}» no es un día del año con la forma --MM-DD (p. ej. --10-01).",
        "en": "REPORTING_YEAR_START_DAY '{value}' is not a day of the year of the form --MM-DD (e.g. --10-01).",
    }

    def check(self, context: ValidationContext) -> Found:
        if START_DAY not in context.present:
            return NOTHING
        rows = context.checks.malformed_periods(START_DAY, f"\\s*|{START_DAY_PATTERN}")
        return self.from_rows(rows, context.label(START_DAY))


class DuplicateKey(Rule):
    type = "duplicate-key"
    severity = Severity.ERROR
    messages = {
        "es": "Esta fila repite la clave {value} de la fila {first_row}: cada combinación de dimensiones y "
        "periodo debe aparecer una sola vez.",
        "en": "This row repeats key {value} of row {first_row}: each combination of dimensions and period must "
        "appear only once.",
    }

    def check(self, context: ValidationContext) -> Found:
        structure = context.dataflow.structure
        keys = [*structure.dimension_ids, structure.time_dimension]
        if not set(keys) <= context.present:
            return NOTHING
        rows = context.checks.duplicate_keys(keys[:-1], keys[-1])
        return self.from_rows(rows, None, "key", first_row=lambda r: r["first_row"])


class MissingMandatoryAttribute(Rule):
    type = "missing-mandatory-attribute"
    severity = Severity.ERROR
    messages = {
        "es": "Falta el atributo obligatorio {column} y el conjunto de datos no le da un valor por defecto.",
        "en": "Mandatory attribute {column} is missing and the dataflow gives it no default value.",
    }

    def check(self, context: ValidationContext) -> Found:
        issues, total = [], 0
        for attribute in context.dataflow.structure.attributes:
            if not attribute.mandatory or attribute.id in context.dataflow.defaults:
                continue
            if attribute.id not in context.present:
                issues.append(self.issue(1, attribute.id, None))
                total += 1
                continue
            found, count = self.from_rows(context.checks.empty_values(attribute.id), context.label(attribute.id))
            issues += found
            total += count
        return issues, total


STRUCTURAL_RULES: tuple[Rule, ...] = (
    EmptyValue(),
    InvalidNumber(),
    CodeNotInCodelist(),
    CodeNotAllowed(),
    InvalidPeriod(),
    ReportingPeriodWithoutStartDay(),
    InvalidReportingYearStartDay(),
    DuplicateKey(),
    MissingMandatoryAttribute(),
)
