"""The platform's own observation comments in the page's language.

A derived indicator says in ``OBS_COMMENT`` why an observation has no value (``indicators/compute.py``); the
data keep that English text (SDMX answers are for machines), and pages and downloads for people write it in
their language. Comments from providers are shown as they wrote them, except the notes an importer writes
with fixed labels over a closed list of the provider's terms: IOM's incident types and causes of death (the
causes named as in CL_CAUSE_OF_DEATH, whose ``iom_label`` annotations give IOM's words).
"""

from __future__ import annotations

import re

from pivgm.model import Codelist

_SPANISH = [
    (re.compile(r"^missing input: (.+)$"), "falta un dato de entrada: {0}"),
    (re.compile(r"^confidential input: (.+)$"), "dato de entrada confidencial: {0}"),
    (re.compile(r"^incomplete (\d+)-period window: (.+)$"), "ventana incompleta de {0} periodos: {1}"),
    (re.compile(r"^undefined: divisor (.+) is zero$"), "sin definir: el divisor {0} es cero"),
    (re.compile(r"^undefined: the result is not a finite number$"), "sin definir: el resultado no es un número finito"),
]


IOM_TYPE, IOM_CAUSES = "IOM incident type: ", "IOM causes: "
_IOM_TYPES = {
    "Incident": "incidente",
    "Split Incident": "incidente dividido",
    "Cumulative Incident": "incidente acumulado",
}


def comment_in(text: str, language: str, causes: Codelist | None = None) -> str:
    """``text`` in ``language`` when it is one of the platform's own comments (or an IOM incident's note,
    with ``causes`` the cause-of-death codelist); else as written."""
    if language != "es":
        return text
    for pattern, spanish in _SPANISH:
        found = pattern.match(text)
        if found:
            return spanish.format(*found.groups())
    if text.startswith((IOM_TYPE, IOM_CAUSES)):
        return "; ".join(_iom_part(part, causes) for part in text.split("; "))
    return text


def _iom_part(part: str, causes: Codelist | None) -> str:
    if part.startswith(IOM_TYPE):
        kinds = part.removeprefix(IOM_TYPE).split(",")
        return "Tipo de incidente (OIM): " + ", ".join(_IOM_TYPES.get(k.strip(), k.strip()) for k in kinds)
    if part.startswith(IOM_CAUSES):
        cell = part.removeprefix(IOM_CAUSES)
        return "Causas (OIM): " + " · ".join(_iom_causes(cell, causes) or [cell])
    return part


def _iom_causes(cell: str, causes: Codelist | None) -> list[str] | None:
    """The Spanish names of the IOM categories a cause cell lists (comma-joined; one label holds commas)."""
    if causes is None:
        return None
    spanish = {c.annotations["iom_label"]: c.name.get("es") for c in causes.codes if "iom_label" in c.annotations}
    if cell in spanish:
        return [spanish[cell]]
    for label in sorted(spanish, key=len, reverse=True):
        if cell.startswith(label + ","):
            rest = _iom_causes(cell[len(label) + 1 :].lstrip(), causes)
            if rest is not None:
                return [spanish[label], *rest]
    return None
