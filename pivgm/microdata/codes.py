"""Record labels -> codes, once per distinct label: the recipe's own ``values`` first, then the platform's
matchers (country names in Spanish and English to ISO 3166 alpha-3, age ranges, codelist names and codes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pivgm.ingest.labels import matcher_for
from pivgm.model import Dataflow


def code_map(
    dimension: str, labels: Iterable[str], dataflow: Dataflow, overrides: Mapping[str, str]
) -> dict[str, str | None]:
    """Each distinct label of ``dimension`` with its code, or None when it has none (the record is then
    counted as unmappable, never guessed)."""
    component = dataflow.structure.dimension(dimension)
    codelist = component.codelist if component is not None else None
    matcher = matcher_for(codelist) if codelist is not None else None
    folded = {label.strip().casefold(): code for label, code in overrides.items()}
    result: dict[str, str | None] = {}
    for label in labels:
        code = overrides.get(label, folded.get(label.strip().casefold()))
        if code is None and matcher is not None and label.strip():
            code = matcher.match(label)
        if code is not None and codelist is not None and code not in codelist:
            code = None
        result[label] = code
    return result
