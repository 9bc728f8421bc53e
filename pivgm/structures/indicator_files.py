"""Indicator files (``indicators/<DF_ID>.yaml``) as the dataflow they publish and the formula that fills it.

The dataflow's reference metadata is written from the file and from its inputs': the source, licence and
comparability notes of every input carry into the indicator, so a difference of coverage or definition in an
input is never lost on the way.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from pivgm.errors import StructureError
from pivgm.model import Dataflow
from pivgm.model.indicator import Indicator, IndicatorInput

FROM_INPUT = "input"  # the unit of each observation of the first input (a rolling sum keeps persons or events)
ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub)


def check_formula(indicator_id: str, formula: str, names: set[str]) -> ast.Expression:
    """The formula's syntax tree; refused unless it is arithmetic over ``names`` and numbers."""
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        raise StructureError(f"indicators/{indicator_id}: formula {formula!r} is not arithmetic.") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise StructureError(f"indicators/{indicator_id}: formula names {node.id!r}, which is not an input.")
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float):
                raise StructureError(f"indicators/{indicator_id}: formula holds {node.value!r}, not a number.")
        elif not isinstance(node, (*ALLOWED_NODES, ast.Load)):
            raise StructureError(f"indicators/{indicator_id}: formula may use only + - * / and parentheses.")
    return tree


def _input(indicator_id: str, name: str, raw: Mapping[str, Any], dataflows: Mapping[str, Dataflow]) -> IndicatorInput:
    source = dataflows.get(raw["dataflow"])
    if source is None:
        raise StructureError(f"indicators/{indicator_id}: input {name} reads {raw['dataflow']!r}, not a dataflow.")
    key = {str(d): tuple(c if isinstance(c, list) else [c]) for d, c in raw["key"].items()}
    mentioned = [*key, *raw.get("total", ()), *raw.get("dimensions", {}).values()]
    for dimension_id in mentioned:
        dimension = source.structure.dimension(dimension_id)
        if dimension is None:
            raise StructureError(f"indicators/{indicator_id}: {source.id} has no dimension {dimension_id!r}.")
        unknown = [
            c for c in key.get(dimension_id, ()) if dimension.codelist is not None and c not in dimension.codelist
        ]
        if unknown:
            raise StructureError(f"indicators/{indicator_id}: {dimension_id}={unknown[0]!r} is not in its codelist.")
    within = {}
    for dimension_id, group in (raw.get("within") or {}).items():
        dimension = source.structure.dimension(dimension_id)
        code = dimension.codelist.get(group) if dimension is not None and dimension.codelist is not None else None
        if code is None or not code.members:
            raise StructureError(f"indicators/{indicator_id}: within {dimension_id}={group!r} is not a group code.")
        within[str(dimension_id)] = code.members
    return IndicatorInput(
        name=name,
        within=within,
        dataflow=source.id,
        key=key,
        dimensions={str(k): str(v) for k, v in (raw.get("dimensions") or {}).items()},
        total=tuple(raw.get("total", ())),
        shift=int(raw.get("shift", 0)),
        window=int(raw.get("window", 1)),
        annual=bool(raw.get("annual", False)),
    )


def _notes(raw: Mapping[str, Any], inputs: list[Dataflow]) -> dict[str, Any]:
    """The dataflow metadata: the file's own texts, then what each input says about itself."""
    names = {lang: ", ".join(f"{d.name.get(lang)} ({d.id})" for d in inputs) for lang in ("es", "en")}
    own = raw["metadata"]
    words = raw["formula_words"]  # the formula for people, per language (required by the indicator schema)
    return {
        "definition": own["definition"],
        "source": {
            "es": f"Calculado por la plataforma con las publicaciones vigentes de: {names['es']}.",
            "en": f"Calculated by the platform from the releases in force of: {names['en']}.",
        },
        "coverage": {
            "es": "Las observaciones de la primera entrada; sin valor donde falta otra entrada o el divisor es cero.",
            "en": "The first input's observations; no value where another input is missing or a divisor is zero.",
        },
        "methodology": {
            "es": f"Fórmula: {words['es']}. Se recalcula cada vez que se publica una de sus entradas.",
            "en": f"Formula: {words['en']}. Recomputed each time one of its inputs is published.",
        },
        "comparability": {
            lang: " ".join(
                [own["comparability"][lang]]
                + [
                    f"{d.id}: {d.metadata.comparability.get(lang)}"
                    for d in inputs
                    if d.metadata.comparability.get(lang)
                ]
            )
            for lang in ("es", "en")
        },
        "keywords": own["keywords"],
    }


def _parts(licence: str | None) -> list[str]:
    """The licences a licence text lists ("; "-separated), so two inputs under the same one name it once."""
    return [part.strip() for part in (licence or "").split("; ") if part.strip()]


def indicator_dataflow(indicator_id: str, raw: Mapping[str, Any], dataflows: Mapping[str, Dataflow]) -> dict[str, Any]:
    """The dataflow file an indicator file stands for (checked by the dataflow schema like any other)."""
    # each input dataflow once: a change over a year reads DF_IRREGULAR_TRANSIT twice, its source is named once
    found = {r["dataflow"]: dataflows[r["dataflow"]] for r in raw["inputs"].values() if r["dataflow"] in dataflows}
    inputs = list(found.values())
    metadata = _notes(raw, inputs)
    metadata["source_url"] = inputs[0].metadata.source_url if inputs else "https://example.org"
    metadata["licence"] = {
        lang: "; ".join(dict.fromkeys(part for d in inputs for part in _parts(d.metadata.licence.get(lang)))) or "-"
        for lang in ("es", "en")
    }
    return {
        "version": raw["version"],
        "theme": "indicators",
        "name": raw["name"],
        "description": raw["description"],
        "dimensions": raw["dimensions"],
        "defaults": {} if raw["unit"] == FROM_INPUT else {"UNIT_MEASURE": raw["unit"]},
        **({"decimals": raw["decimals"]} if raw.get("decimals") else {}),
        "metadata": metadata,
    }


def indicator(indicator_id: str, raw: Mapping[str, Any], dataflows: Mapping[str, Dataflow]) -> Indicator:
    """The formula and inputs of an indicator file, checked against the dataflows they read."""
    inputs = tuple(_input(indicator_id, name, spec, dataflows) for name, spec in raw["inputs"].items())
    check_formula(indicator_id, raw["formula"], {i.name for i in inputs})
    own = dataflows[indicator_id]
    for spec in inputs:
        source = dataflows[spec.dataflow]
        for dimension_id in own.structure.dimension_ids:
            column = spec.dimensions.get(dimension_id, dimension_id)
            fixed = len(spec.key.get(column, ())) == 1
            if (
                column not in source.structure.dimension_ids
                or (column in spec.summed)
                or (column in spec.key and not fixed)
            ):
                raise StructureError(
                    f"indicators/{indicator_id}: input {spec.name} gives no {dimension_id} "
                    f"(map it with `dimensions`, or fix it with one code in `key`)."
                )
        loose = [
            d
            for d in source.structure.dimension_ids
            if d not in spec.key
            and d not in spec.total
            and d not in spec.dimensions.values()
            and d not in own.structure.dimension_ids
        ]
        if loose:
            raise StructureError(
                f"indicators/{indicator_id}: input {spec.name} leaves {source.id}'s {loose[0]} open: "
                "select codes in `key`, sum it in `total` or map it in `dimensions`."
            )
    unit = None if raw["unit"] == FROM_INPUT else str(raw["unit"])
    return Indicator(indicator_id, raw["formula"], inputs, own.structure.dimension_ids, unit)
