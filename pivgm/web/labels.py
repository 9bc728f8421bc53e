"""Names of dimensions, codes, units and flags of a dataflow in the page's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request

from pivgm.catalog.grid import Cell
from pivgm.model import Codelist, Dataflow
from pivgm.web.comments import comment_in
from pivgm.web.formats import decimals_for, estimate_places, number_label, period_label
from pivgm.web.i18n import (
    format_count,
    format_money,
    format_number,
    format_percent,
    request_language,
    request_locale,
    translate,
)

TIME = "TIME_PERIOD"
OTHERS = "_OTHERS"  # what a top-N leaves out, added up (catalog.views.OTHERS)


# The kind of figure each unit of measure is (persons and events are counted; money has a currency).
COUNTED_UNITS = frozenset({"PS", "EVENTS"})
CURRENCIES = {"USD": "USD"}
PERCENT_UNITS = frozenset({"PT"})


@dataclass(frozen=True)
class Labels:
    dataflow: Dataflow
    language: str
    locale: str = ""  # the number locale (es-419, es-MX, es-ES, en-US); the language's default when empty
    single: str = ""  # the name of a chart's only series (what the selection holds); the dataflow's when empty

    @property
    def only_series(self) -> str:
        """What a chart calls the series of a selection that splits nothing ("Panama", not the dataflow)."""
        return self.single or self.dataflow.name.get(self.language)

    @property
    def numbers(self) -> str:
        return self.locale or self.language

    def t(self, key: str) -> str:
        return translate(key, self.language)

    def _codelist(self, component: str) -> Codelist | None:
        structure = self.dataflow.structure
        dimension = structure.dimension(component)
        if dimension is not None:
            return dimension.codelist
        attribute = structure.attribute(component)
        return attribute.codelist if attribute is not None else None

    def dimension(self, dimension_id: str) -> str:
        """The dimension's name as used in this dataflow (REF_AREA is the "country of asylum" for refugees)."""
        if dimension_id == TIME:
            return self.t("period")
        structure = self.dataflow.structure
        component = structure.dimension(dimension_id) or structure.attribute(dimension_id)
        return component.name.get(self.language) if component is not None else dimension_id

    def code(self, component: str, code: str) -> str:
        if component == TIME:
            return period_label(code, self.language)
        codelist = self._codelist(component)
        found = codelist.get(code) if codelist is not None else None
        if found is None and code == OTHERS:
            return self.t("others")
        return found.name.get(self.language) if found is not None else code

    def key(self, dimensions: Sequence[str], key: Sequence[str], empty: str = "") -> str:
        """A key's codes as names joined by " · " (the series name in legends and tables)."""
        return " · ".join(self.code(d, c) for d, c in zip(dimensions, key, strict=True)) or empty

    def unit(self, cell_or_code: Cell | str) -> str:
        code = cell_or_code.unit if isinstance(cell_or_code, Cell) else cell_or_code
        return self.code("UNIT_MEASURE", code) if code else ""

    def multiplier(self, code: str) -> str:
        return "" if code in ("", "0") else self.code("UNIT_MULT", code)

    def comment(self, text: str) -> str:
        """An observation's comment, the platform's own in the page's language."""
        return comment_in(text, self.language, self._codelist("CAUSE_OF_DEATH"))

    def status(self, code: str) -> str:
        """The name of an observation status (E: estimated) or confidentiality status (C: confidential)."""
        statuses = self._codelist("OBS_STATUS")
        return self.code("OBS_STATUS" if statuses is not None and code in statuses else "CONF_STATUS", code)

    def value(self, cell: Cell | None) -> str:
        """The figure as written in the page's locale by its kind (a count of persons without decimals,
        money with its currency, a percentage with %), with "± margin of error" for a survey estimate; rates
        with the decimals their unit is published with (the dataflow's ``decimals``, SDMX ``DECIMALS``)."""
        if cell is None or cell.value is None:
            return number_label(None, self.numbers)
        if cell.moe is not None:
            places = estimate_places(cell.value, cell.moe)
            value, margin = (format_number(v, self.numbers, places) for v in (cell.value, cell.moe))
            return f"{value} ± {margin}"
        if cell.unit in COUNTED_UNITS:
            return format_count(cell.value, self.numbers)
        if cell.unit in CURRENCIES:
            places = 0 if abs(cell.value) >= 1000 or float(cell.value).is_integer() else 2
            return format_money(cell.value, self.numbers, CURRENCIES[cell.unit], places)
        published = self.dataflow.decimals_for(cell.unit)  # the series' DECIMALS, as SDMX answers carry it
        if cell.unit in PERCENT_UNITS:
            shown = min(decimals_for(cell.value), 1) if published is None else published
            return format_percent(cell.value, self.numbers, shown)
        if published is None:
            return number_label(cell.value, self.numbers)
        return format_number(cell.value, self.numbers, published)

    def unit_title(self, units: Sequence[str], multipliers: Sequence[str] = ("0",)) -> str:
        """The axis or legend title: the unit (and multiplier), or "Value" when units differ."""
        if len(units) != 1:
            return self.t("value")
        multiplier = self.multiplier(multipliers[0]) if len(multipliers) == 1 else ""
        unit = self.unit(units[0])
        return f"{unit} ({multiplier.lower()})" if multiplier else unit


def page_labels(dataflow: Dataflow, request: Request) -> Labels:
    """The labels of a page: its language and number locale (``?lang=``, ``?locale=``)."""
    language = request_language(request)
    return Labels(dataflow, language, request_locale(request, language))
