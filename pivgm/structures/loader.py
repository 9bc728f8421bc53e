"""Load the YAML files of the standard into ``pivgm.model`` objects, checking their references."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pivgm.errors import NotFoundError, StructureError, in_both
from pivgm.model import (
    Attribute,
    AttributeAttachment,
    Code,
    Codelist,
    Concept,
    ConceptScheme,
    Dataflow,
    DataProvider,
    DataStructure,
    Dimension,
    LocalizedText,
    Measure,
    ReferenceMetadata,
)
from pivgm.model.hierarchy import Hierarchy, HierarchyAssociation
from pivgm.model.indicator import Indicator, MirrorRule, Route
from pivgm.structures.hierarchy_files import associations, hierarchy
from pivgm.structures.indicator_files import indicator, indicator_dataflow
from pivgm.structures.mirror_rules import mirror_rules, routes

if TYPE_CHECKING:  # jsonschema loads only when the standard is parsed, not when a cached copy is read
    from jsonschema import Draft202012Validator

STRUCTURES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Standard:
    """Everything the platform knows about the structure of its data."""

    agency: str
    concepts: ConceptScheme
    codelists: Mapping[str, Codelist]
    dataflows: Mapping[str, Dataflow]
    providers: Mapping[str, DataProvider]
    indicators: Mapping[str, Indicator] = field(default_factory=dict)
    mirrors: Mapping[str, MirrorRule] = field(default_factory=dict)
    hierarchies: Mapping[str, Hierarchy] = field(default_factory=dict)  # groupings of codes, by id
    associations: Mapping[str, HierarchyAssociation] = field(default_factory=dict)  # hierarchy -> dimension, by id
    routes: Mapping[str, Route] = field(default_factory=dict)
    disaggregations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # expected, by dataflow

    def dataflow(self, dataflow_id: str) -> Dataflow:
        try:
            return self.dataflows[dataflow_id]
        except KeyError:
            raise NotFoundError(
                f"Dataflow {dataflow_id!r} does not exist. See /api/dataflows for the list.",
                dataflow=dataflow_id,
                **in_both(
                    f"El conjunto de datos «{dataflow_id}» no existe: la lista está en /catalog (y en /api/dataflows).",
                    f"Dataflow {dataflow_id!r} does not exist. See /catalog (or /api/dataflows) for the list.",
                ),
            ) from None

    def provider(self, provider_id: str) -> DataProvider:
        try:
            return self.providers[provider_id]
        except KeyError:
            known = ", ".join(sorted(self.providers))
            raise NotFoundError(
                f"Provider {provider_id!r} is not registered. Registered providers: {known}.",
                provider=provider_id,
            ) from None

    def codelist(self, codelist_id: str) -> Codelist:
        try:
            return self.codelists[codelist_id]
        except KeyError:
            raise NotFoundError(f"Codelist {codelist_id!r} does not exist.", codelist=codelist_id) from None


@cache
def _validator(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    with open(STRUCTURES_DIR / "schemas" / f"{kind}.schema.json", encoding="utf-8") as f:
        return Draft202012Validator(json.load(f))


def _schema_problem(kind: str, content: Any) -> Any:
    """The most relevant error of ``content`` against the schema of ``kind``, or None."""
    from jsonschema.exceptions import best_match

    return best_match(_validator(kind).iter_errors(content))


ORDER = "ORDER"
"""The annotation type of a code's position in its codelist (.Stat convention)."""


def _read(path: Path, kind: str | None = None) -> Any:
    """Parse a YAML file and, for ``kind`` (codelist, dataflow, concepts), check it against its schema."""
    import yaml  # loaded when the standard is parsed, not when its kept copy is read

    # libyaml's safe loader when PyYAML was built with it (several times faster than in pure Python)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with open(path, encoding="utf-8") as f:
            content = yaml.load(f, Loader=loader)
    except yaml.YAMLError as error:
        raise StructureError(f"{path.name} is not valid YAML: {error}", file=str(path)) from None
    if kind is not None:
        problem = _schema_problem(kind, content)
        if problem is not None:
            where = "/".join(str(p) for p in problem.absolute_path) or "top level"
            raise StructureError(f"{path.parent.name}/{path.name} at {where}: {problem.message}", file=str(path))
    return content


def _text(value: Mapping[str, str] | None) -> LocalizedText:
    return LocalizedText(dict(value or {}))


def _code(raw: Mapping[str, Any], position: int) -> Code:
    """A code; its ``ORDER`` annotation is its position in the codelist (from 1), the order .Stat's Data
    Explorer shows codes in."""
    return Code(
        id=str(raw["id"]),
        name=_text(raw["name"]),
        description=_text(raw.get("description")),
        parent=raw.get("parent"),
        members=tuple(str(m) for m in raw.get("members", ())),
        annotations={
            **{str(k): str(v) for k, v in (raw.get("annotations") or {}).items()},
            ORDER: str(position),
        },
    )


def _codelist(raw: Mapping[str, Any]) -> Codelist:
    return Codelist(
        id=raw["id"],
        agency=raw.get("agency", "PIVGM"),
        version=str(raw.get("version", "1.0")),
        name=_text(raw["name"]),
        description=_text(raw.get("description")),
        codes=tuple(_code(code, position) for position, code in enumerate(raw["codes"], start=1)),
    )


def _concepts(raw: Mapping[str, Any]) -> ConceptScheme:
    return ConceptScheme(
        id=raw["id"],
        agency=raw["agency"],
        version=str(raw["version"]),
        name=_text(raw["name"]),
        concepts=tuple(
            Concept(id=c["id"], name=_text(c["name"]), description=_text(c.get("description"))) for c in raw["concepts"]
        ),
    )


class _Builder:
    """Resolves component references of one dataflow file against concepts and codelists."""

    def __init__(self, concepts: ConceptScheme, codelists: Mapping[str, Codelist], where: str) -> None:
        self.concepts = concepts
        self.codelists = codelists
        self.where = where

    def concept(self, concept_id: str) -> Concept:
        concept = self.concepts.get(concept_id)
        if concept is None:
            raise StructureError(f"{self.where}: concept {concept_id!r} is not in concepts.yaml.")
        return concept

    def codelist(self, codelist_id: str | None) -> Codelist | None:
        if codelist_id is None:
            return None
        if codelist_id not in self.codelists:
            raise StructureError(f"{self.where}: codelist {codelist_id!r} does not exist.")
        return self.codelists[codelist_id]

    def dimension(self, raw: Mapping[str, Any], position: int) -> Dimension:
        concept = self.concept(raw["id"])
        return Dimension(
            id=raw["id"],
            position=position,
            name=_text(raw["name"]) if raw.get("name") else concept.name,
            codelist=self.codelist(raw.get("codelist")),
            description=_text(raw.get("description")) if raw.get("description") else concept.description,
        )

    def attribute(self, raw: Mapping[str, Any]) -> Attribute:
        concept = self.concept(raw["id"])
        if raw.get("computed") and raw["id"] != "DECIMALS":
            raise StructureError(f"{self.where}: only DECIMALS is computed on read, not {raw['id']!r}.")
        return Attribute(
            id=raw["id"],
            name=_text(raw["name"]) if raw.get("name") else concept.name,
            codelist=self.codelist(raw.get("codelist")),
            attachment=AttributeAttachment(raw.get("attachment", "observation")),
            mandatory=bool(raw.get("mandatory", False)),
            computed=bool(raw.get("computed", False)),
        )


def _metadata(raw: Mapping[str, Any]) -> ReferenceMetadata:
    return ReferenceMetadata(
        definition=_text(raw.get("definition")),
        source=_text(raw.get("source")),
        coverage=_text(raw.get("coverage")),
        methodology=_text(raw.get("methodology")),
        comparability=_text(raw.get("comparability")),
        source_url=str(raw.get("source_url", "")),
        licence=_text(raw.get("licence")),
        keywords=_text(raw.get("keywords")),
    )


def _dataflow(
    dataflow_id: str,
    raw: Mapping[str, Any],
    common: Mapping[str, Any],
    builder: _Builder,
) -> Dataflow:
    agency = common["agency"]
    version = str(raw.get("version", "1.0"))
    dimensions = tuple(builder.dimension(d, i) for i, d in enumerate(raw["dimensions"]))
    published = tuple(builder.attribute(a) for a in (*raw.get("attributes", ()), *common["attributes"]))
    structure = DataStructure(
        id=dataflow_id.replace("DF_", "DSD_", 1),
        agency=agency,
        version=version,
        name=_text(raw["name"]),
        dimensions=dimensions,
        time_dimension=builder.concept(common["time_dimension"]).id,
        measure=Measure(id=common["measure"], name=builder.concept(common["measure"]).name),
        attributes=tuple(a for a in published if not a.computed),
        published_attributes=published,
    )
    defaults = {**common.get("defaults", {}), **(raw.get("defaults") or {})}
    return Dataflow(
        id=dataflow_id,
        agency=agency,
        version=version,
        name=_text(raw["name"]),
        description=_text(raw.get("description")),
        theme=str(raw.get("theme", "")),
        structure=structure,
        metadata=_metadata(raw.get("metadata") or {}),
        defaults={str(k): str(v) for k, v in defaults.items()},
        constraints={str(k): frozenset(str(c) for c in v) for k, v in (raw.get("constraints") or {}).items()},
        decimals={str(k): int(v) for k, v in {**common.get("decimals", {}), **(raw.get("decimals") or {})}.items()},
    )


def _check_decimals(dataflow: Dataflow) -> None:
    """Every unit of measure has its decimals (DECIMALS is mandatory), each a code of the attribute's codelist."""
    decimals = dataflow.structure.published_attribute("DECIMALS")
    unit = dataflow.structure.attribute("UNIT_MEASURE")
    if decimals is None or unit is None or unit.codelist is None:
        return
    missing = [code.id for code in unit.codelist if code.id not in dataflow.decimals]
    if missing:
        raise StructureError(f"{dataflow.id}: no decimals for unit {missing[0]!r} (common.yaml `decimals`).")
    unknown = [u for u in dataflow.decimals if u not in unit.codelist]
    if unknown:
        raise StructureError(f"{dataflow.id}: decimals for {unknown[0]!r}, not a code of {unit.codelist.id}.")
    places = [str(n) for n in dataflow.decimals.values() if decimals.codelist and str(n) not in decimals.codelist]
    if places:
        raise StructureError(f"{dataflow.id}: {places[0]} decimals is not a code of CL_DECIMALS.")


def _check_defaults(dataflow: Dataflow) -> None:
    for dimension_id, codes in dataflow.constraints.items():
        dimension = dataflow.structure.dimension(dimension_id)
        if dimension is None or dimension.codelist is None:
            raise StructureError(f"{dataflow.id}: constraint on {dimension_id!r}, not a coded dimension.")
        unknown = sorted(code for code in codes if code not in dimension.codelist)
        if unknown:
            raise StructureError(f"{dataflow.id}: constraint {dimension_id}={unknown[0]!r} is not in its codelist.")
    for attribute_id, value in dataflow.defaults.items():
        attribute = dataflow.structure.attribute(attribute_id)
        if attribute is None:
            raise StructureError(f"{dataflow.id}: default for unknown attribute {attribute_id!r}.")
        if attribute.codelist is not None and value not in attribute.codelist:
            raise StructureError(f"{dataflow.id}: default {attribute_id}={value!r} is not in {attribute.codelist.id}.")


_loaded: dict[Path, Standard] = {}
_loading = threading.Lock()


def load_standard(directory: Path = STRUCTURES_DIR, cache_dir: Path | None = None) -> Standard:
    """The standard in ``directory``, loaded once per process (every caller shares it). With ``cache_dir``, a
    parsed copy kept there is read when it was made from the same files by the same code, and written when it
    was not (``pivgm.structures.cache``); otherwise the files are parsed and checked."""
    with _loading:
        standard = _loaded.get(directory)
        if standard is None:
            if cache_dir is None:
                standard = parse_standard(directory)
            else:
                from pivgm.structures.cache import cached_standard

                standard = cached_standard(directory, cache_dir, parse_standard)
            _loaded[directory] = standard
        return standard


def parse_standard(directory: Path = STRUCTURES_DIR) -> Standard:
    """Parse and cross-check the standard's files; raises ``StructureError`` naming the file at fault."""
    common = _read(directory / "common.yaml")
    concepts = _concepts(_read(directory / "concepts.yaml", "concepts"))
    codelists: dict[str, Codelist] = {}
    for path in sorted((directory / "codelists").glob("*.yaml")):
        codelist = _codelist(_read(path, "codelist"))
        if codelist.id != path.stem:
            raise StructureError(f"{path.name}: the id {codelist.id!r} must equal the file name.")
        codelists[codelist.id] = codelist
    dataflows: dict[str, Dataflow] = {}
    for path in sorted((directory / "dataflows").glob("*/dataflow.yaml")):
        dataflow_id = path.parent.name
        builder = _Builder(concepts, codelists, f"dataflows/{dataflow_id}")
        dataflow = _dataflow(dataflow_id, _read(path, "dataflow"), common, builder)
        _check_defaults(dataflow)
        _check_decimals(dataflow)
        dataflows[dataflow_id] = dataflow
    indicators = _indicators(directory, common, concepts, codelists, dataflows)
    providers = {
        p["id"]: DataProvider(
            p["id"],
            _text(p["name"]),
            () if p["countries"] == "any" else tuple(p["countries"]),
            international=p.get("kind") == "international",
            four_eyes=bool(p.get("four_eyes", True)),
        )
        for p in _read(directory / "providers.yaml", "providers")["providers"]
    }
    areas = codelists["CL_AREA"]
    for provider in providers.values():
        unknown = [c for c in provider.countries if c not in areas]
        if unknown:
            raise StructureError(f"providers.yaml: {provider.id} reports for {unknown[0]!r}, not in CL_AREA.")
    hierarchies: dict[str, Hierarchy] = {}
    linked: dict[str, HierarchyAssociation] = {}
    for path in sorted((directory / "hierarchies").glob("*.yaml")):
        raw = _read(path, "hierarchy")
        found = hierarchy(raw, codelists, f"hierarchies/{path.name}")
        if found.id != path.stem:
            raise StructureError(f"hierarchies/{path.name}: the id {found.id!r} must equal the file name.")
        hierarchies[found.id] = found
        for association in associations(raw, found, dataflows, f"hierarchies/{path.name}"):
            if association.id in linked:  # one tree per dimension of a dataflow, which a client can rely on
                other = linked[association.id].hierarchy.id
                raise StructureError(f"hierarchies/{path.name}: {association.id} is already {other}'s.")
            linked[association.id] = association
    return Standard(
        agency=common["agency"],
        concepts=concepts,
        codelists=codelists,
        dataflows=dataflows,
        providers=providers,
        indicators=indicators,
        mirrors=mirror_rules(_read(directory / "mirrors.yaml", "mirrors"), dataflows, providers),
        hierarchies=hierarchies,
        associations=linked,
        routes=routes(_read(directory / "routes.yaml", "routes"), dataflows, providers),
        disaggregations=_disaggregations(_read(directory / "quality.yaml", "quality"), dataflows),
    )


def _disaggregations(raw: Mapping[str, Any], dataflows: Mapping[str, Dataflow]) -> dict[str, tuple[str, ...]]:
    """``quality.yaml``: the dimensions each dataflow is expected to report broken down, checked."""
    expected = {}
    for dataflow_id, dimensions in raw["expected_disaggregations"].items():
        dataflow = dataflows.get(dataflow_id)
        if dataflow is None:
            raise StructureError(f"quality.yaml: {dataflow_id!r} is not a dataflow.")
        unknown = [d for d in dimensions if d not in dataflow.structure.dimension_ids]
        if unknown:
            raise StructureError(f"quality.yaml: {dataflow_id} has no dimension {unknown[0]!r}.")
        expected[dataflow_id] = tuple(dimensions)
    return expected


def _indicators(
    directory: Path,
    common: Mapping[str, Any],
    concepts: ConceptScheme,
    codelists: Mapping[str, Codelist],
    dataflows: dict[str, Dataflow],
) -> dict[str, Indicator]:
    """Each ``indicators/<DF_ID>.yaml`` adds the dataflow ``DF_ID`` (its metadata written from its inputs')
    and the formula that fills it."""
    raws = {path.stem: _read(path, "indicator") for path in sorted((directory / "indicators").glob("*.yaml"))}
    for indicator_id, raw in raws.items():
        if indicator_id in dataflows:
            raise StructureError(f"indicators/{indicator_id}.yaml: a dataflow of that id exists already.")
        content = indicator_dataflow(indicator_id, raw, dataflows)
        problem = _schema_problem("dataflow", content)
        if problem is not None:
            raise StructureError(f"indicators/{indicator_id}.yaml: {problem.message}")
        builder = _Builder(concepts, codelists, f"indicators/{indicator_id}")
        dataflow = _dataflow(indicator_id, content, common, builder)
        _check_defaults(dataflow)
        _check_decimals(dataflow)
        dataflows[indicator_id] = dataflow
    return {indicator_id: indicator(indicator_id, raw, dataflows) for indicator_id, raw in raws.items()}
