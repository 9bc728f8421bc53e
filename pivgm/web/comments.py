"""The platform's own observation comments in the page's language.

A derived indicator says in ``OBS_COMMENT`` why an observation has no value (``indicators/compute.py``); the
data keep that English text (SDMX answers are for machines), and pages and downloads for people write it in
their language. Comments from providers are shown as they wrote them.
"""

from __future__ import annotations

import re

_SPANISH = [
    (re.compile(r"^missing input: (.+)$"), "falta un dato de entrada: {0}"),
    (re.compile(r"^confidential input: (.+)$"), "dato de entrada confidencial: {0}"),
    (re.compile(r"^incomplete (\d+)-period window: (.+)$"), "ventana incompleta de {0} periodos: {1}"),
    (re.compile(r"^undefined: divisor (.+) is zero$"), "sin definir: el divisor {0} es cero"),
    (re.compile(r"^undefined: the result is not a finite number$"), "sin definir: el resultado no es un número finito"),
]


def comment_in(text: str, language: str) -> str:
    """``text`` in ``language`` when it is one of the platform's own comments; else as written."""
    if language != "es":
        return text
    for pattern, spanish in _SPANISH:
        found = pattern.match(text)
        if found:
            return spanish.format(*found.groups())
    return text
