"""The YAML files of the standard match their JSON Schemas and are consistent within themselves.

Parametrized over the files found, so that a new codelist or dataflow is checked as soon as it is added.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, ValidationError

from pivgm.structures import STRUCTURES_DIR

SCHEMAS_DIR = STRUCTURES_DIR / "schemas"
VENDORED_DIR = STRUCTURES_DIR.parent / "sources" / "vendored"
CODELIST_FILES = sorted((STRUCTURES_DIR / "codelists").glob("*.yaml"))
DATAFLOW_FILES = sorted((STRUCTURES_DIR / "dataflows").glob("*/dataflow.yaml"))

_ISO_3166_ALPHA3_TEXT = """
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR BHR
BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL
COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK
FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV
HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO
LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG
MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN
PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE
SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO
TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""
ISO_3166_ALPHA3 = _ISO_3166_ALPHA3_TEXT.split()

SHARED_AREA_CODES = {"_T", "_O", "_U", "_Z", "XXA", "XKX", "XCX", "TIB", "ANT"}
AREA_GROUPINGS = {"WLD", "AMR", "LAC", "NAC", "CAM", "CAR", "SAM", "RCM", "SICA", "CMC"}

# Columns of the vendored files that hold country or area codes, and the files that have none.
AREA_COLUMNS: dict[str, tuple[str, ...]] = {
    "asylum_applications_americas.csv.gz": ("coo_iso", "coa_iso"),
    "asylum_decisions_americas.csv.gz": ("coo_iso", "coa_iso"),
    "cbp_swb_encounters_by_nationality_fy2018-2025.csv.gz": ("nat",),
    "ims2024_stock_by_origin_destination_sex.csv.gz": ("geo", "from"),
    "irreg_darien_nat.csv.gz": ("nat",),
    "irreg_guatemala.csv.gz": ("origin",),
    "irreg_honduras_nat.csv.gz": ("nat",),
    "irreg_mexico_exp.csv.gz": ("nat",),
    "irreg_mexico_nat.csv.gz": ("nat",),
    "mmp_2014-2025-04_iom_gdidata.csv.gz": ("geo", "nat"),
    "population.csv.gz": ("coo_iso", "coa_iso"),
    "remesas_pais.csv.gz": ("ID_PAIS",),
    "wdi_wpp_indicators.csv.gz": ("geo",),
    "worldbank_population_SP.POP.TOTL.csv.gz": ("Country Code",),
}
FILES_WITHOUT_AREAS = {
    "irreg_darien_dmg.csv.gz",
    "irreg_honduras.csv.gz",
    "irreg_honduras_dmg.csv.gz",
    "irreg_mexico_dmg.csv.gz",
    "remesas_entidad.csv.gz",
    "remesas_mensuales.csv.gz",
    "remesas_usa.csv.gz",
    # ACS tables name groups in words; us_census_acs_labels.yaml maps them (tests/sources/test_us_census_acs.py)
    *(f"acs_s0201_{year}.csv.gz" for year in range(2009, 2019)),
    *(f"acs_s0201_legend_{year}.csv.gz" for year in range(2009, 2019)),
    "acs_s0506_2018.csv.gz",
    "acs_s0506_state_2018.csv.gz",
    "acs_s0506_legend_2018.csv.gz",
}
# Source codes that are not CL_AREA codes, and the code importers map them to.
SOURCE_AREA_MAPPING = {"OOO": "_O", "UNK": "_U", "STL": "XXA", "XXX": "_U"}


@cache
def validator(kind: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def read_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def describe(error: ValidationError) -> str:
    where = "/".join(map(str, error.absolute_path)) or "(top)"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        cut = [key for key, value in error.instance.items() if value is None]
        if cut:
            return f"{where}: text cut at a comma, {cut} read as keys: quote text with commas inside {{...}}"
    return f"{where}: {error.message}"


def schema_errors(kind: str, document: Any) -> list[str]:
    """Readable schema errors, in path order."""
    errors = sorted(validator(kind).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [describe(error) for error in errors]


def codelist(codelist_id: str) -> dict[str, Any]:
    data: dict[str, Any] = read_yaml(STRUCTURES_DIR / "codelists" / f"{codelist_id}.yaml")
    return data


def area_codes() -> dict[str, dict[str, Any]]:
    return {code["id"]: code for code in codelist("CL_AREA")["codes"]}


def codelist_param(path: Path) -> Any:
    return pytest.param(path, id=path.stem)


def dataflow_param(path: Path) -> Any:
    return pytest.param(path, id=path.parent.name)


# --- Schemas ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["codelist", "dataflow", "concepts"])
def test_schema_is_a_valid_draft_2020_12_schema(kind: str) -> None:
    assert validator(kind).schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", [codelist_param(p) for p in CODELIST_FILES])
def test_codelist_file_matches_the_codelist_schema(path: Path) -> None:
    errors = schema_errors("codelist", read_yaml(path))
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("path", [dataflow_param(p) for p in DATAFLOW_FILES])
def test_dataflow_file_matches_the_dataflow_schema(path: Path) -> None:
    errors = schema_errors("dataflow", read_yaml(path))
    assert not errors, "\n".join(errors)


def test_concept_scheme_matches_the_concepts_schema() -> None:
    errors = schema_errors("concepts", read_yaml(STRUCTURES_DIR / "concepts.yaml"))
    assert not errors, "\n".join(errors)


def test_codelist_schema_rejects_a_code_without_an_english_name() -> None:
    document = {
        "id": "CL_X",
        "agency": "PIVGM",
        "version": "1.0",
        "name": {"es": "Equis", "en": "Ex"},
        "codes": [{"id": "A", "name": {"es": "A"}}],
    }
    assert schema_errors("codelist", document) == ["codes/0/name: 'en' is a required property"]


def test_codelist_schema_rejects_a_flow_mapping_split_by_an_unquoted_comma() -> None:
    document = yaml.safe_load(
        "id: CL_X\nagency: PIVGM\nversion: '1.0'\nname: {es: Uno, dos, en: One, two}\n"
        "codes: [{id: A, name: {es: A, en: A}}]\n"
    )
    assert [error.split(":")[0] for error in schema_errors("codelist", document)] == ["name"]


def test_codelist_schema_rejects_numeric_and_non_sdmx_code_ids() -> None:
    document = {
        "id": "CL_X",
        "agency": "PIVGM",
        "version": "1.0",
        "name": {"es": "Equis", "en": "Ex"},
        "codes": [
            {"id": 1, "name": {"es": "Uno", "en": "One"}},
            {"id": "A B", "name": {"es": "A", "en": "A"}},
        ],
    }
    assert [error.split(":")[0] for error in schema_errors("codelist", document)] == [
        "codes/0/id",
        "codes/1/id",
    ]


def minimal_dataflow() -> dict[str, Any]:
    text = {"es": "Texto", "en": "Text"}
    return {
        "version": "1.0",
        "theme": "stocks",
        "name": text,
        "description": text,
        "dimensions": [{"id": "FREQ", "codelist": "CL_FREQ"}, {"id": "REF_AREA", "codelist": "CL_AREA"}],
        "defaults": {"UNIT_MEASURE": "PS"},
        "metadata": {
            **{key: text for key in ("definition", "source", "coverage", "methodology", "comparability")},
            "keywords": text,
            "source_url": "https://example.org/data",
            "licence": {"es": "CC BY 4.0", "en": "CC BY 4.0"},
        },
    }


def test_dataflow_schema_accepts_a_minimal_dataflow() -> None:
    assert schema_errors("dataflow", minimal_dataflow()) == []


def test_dataflow_schema_rejects_an_unknown_theme_and_a_key_not_starting_with_freq() -> None:
    document = minimal_dataflow()
    broken = {**document, "theme": "weather", "dimensions": list(reversed(document["dimensions"]))}
    assert [error.split(":")[0] for error in schema_errors("dataflow", broken)] == [
        "dimensions/0/id",
        "theme",
    ]


def test_dataflow_schema_rejects_unquoted_numeric_defaults() -> None:
    broken = {**minimal_dataflow(), "defaults": {"UNIT_MULT": 3}}
    assert [error.split(":")[0] for error in schema_errors("dataflow", broken)] == ["defaults/UNIT_MULT"]


# --- Codelists -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [codelist_param(p) for p in CODELIST_FILES])
def test_codelist_id_equals_its_file_name(path: Path) -> None:
    assert read_yaml(path)["id"] == path.stem


@pytest.mark.parametrize("path", [codelist_param(p) for p in CODELIST_FILES])
def test_codelist_has_no_duplicate_code_ids(path: Path) -> None:
    counts = Counter(str(code["id"]) for code in read_yaml(path)["codes"])
    assert [code_id for code_id, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("path", [codelist_param(p) for p in CODELIST_FILES])
def test_every_code_has_a_spanish_and_an_english_name(path: Path) -> None:
    missing = [
        (code.get("id"), language)
        for code in read_yaml(path)["codes"]
        for language in ("es", "en")
        if not str((code.get("name") or {}).get(language) or "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize("path", [codelist_param(p) for p in CODELIST_FILES])
def test_members_and_parents_refer_to_codes_of_the_same_codelist(path: Path) -> None:
    codes = read_yaml(path)["codes"]
    ids = {str(code["id"]) for code in codes}
    dangling = [
        (code["id"], reference)
        for code in codes
        for reference in [*code.get("members", ()), *([code["parent"]] if code.get("parent") else [])]
        if str(reference) not in ids
    ]
    assert dangling == []


@pytest.mark.parametrize("path", [codelist_param(p) for p in CODELIST_FILES])
def test_code_hierarchy_has_no_cycles(path: Path) -> None:
    parents = {str(code["id"]): code.get("parent") for code in read_yaml(path)["codes"]}
    for start in parents:
        seen, current = {start}, parents[start]
        while current is not None and current in parents:
            assert current not in seen, f"{start}: its parent chain loops back to {current}"
            seen.add(current)
            current = parents[current]


# --- CL_AREA ---------------------------------------------------------------------------------------------


def test_area_codelist_has_every_iso_3166_country_with_its_numeric_code() -> None:
    codes = area_codes()
    assert len(ISO_3166_ALPHA3) == 249
    assert [c for c in ISO_3166_ALPHA3 if c not in codes] == []
    numeric = {c: codes[c].get("annotations", {}).get("iso_numeric", "") for c in ISO_3166_ALPHA3}
    assert [c for c, n in numeric.items() if not (len(n) == 3 and n.isdigit())] == []
    assert len(set(numeric.values())) == 249


def test_area_codelist_gives_the_numeric_code_the_maps_join_on() -> None:
    codes = area_codes()
    assert codes["MEX"]["annotations"]["iso_numeric"] == "484"
    assert codes["BLZ"]["annotations"]["iso_numeric"] == "084"
    assert codes["USA"]["annotations"]["iso2"] == "US"


def test_area_codelist_has_the_shared_special_codes_and_groupings() -> None:
    codes = area_codes()
    assert sorted((SHARED_AREA_CODES | AREA_GROUPINGS) - codes.keys()) == []
    assert "members" not in codes["WLD"]
    assert "members" not in codes["_T"]


def test_area_codelist_uses_common_spanish_and_english_names() -> None:
    codes = area_codes()
    names = {c: (codes[c]["name"]["es"], codes[c]["name"]["en"]) for c in ("DZA", "VEN", "BOL", "MEX", "XXA")}
    assert names == {
        "DZA": ("Argelia", "Algeria"),
        "VEN": ("Venezuela", "Venezuela"),
        "BOL": ("Bolivia", "Bolivia"),
        "MEX": ("México", "Mexico"),
        "XXA": ("Personas apátridas", "Stateless persons"),
    }


def test_regional_conference_on_migration_and_sica_have_their_member_states() -> None:
    codes = area_codes()
    assert set(codes["RCM"]["members"]) == {
        "BLZ",
        "CAN",
        "CRI",
        "SLV",
        "GTM",
        "HND",
        "MEX",
        "NIC",
        "PAN",
        "DOM",
        "USA",
    }
    assert set(codes["SICA"]["members"]) == {"BLZ", "CRI", "SLV", "GTM", "HND", "NIC", "PAN", "DOM"}


def test_caribbean_migration_consultations_have_the_participants_iom_lists() -> None:
    """IOM's page on the CMC lists 23 states and territories (no formal membership yet); all in the Americas."""
    members = area_codes()["CMC"]["members"]
    assert len(members) == 23 and {"JAM", "TTO", "BLZ", "GUY", "HTI", "DOM", "CUB", "SXM"} <= set(members)
    assert set(members) <= set(area_codes()["AMR"]["members"])


def test_m49_groupings_of_the_americas_nest() -> None:
    members = {code_id: set(code.get("members", ())) for code_id, code in area_codes().items()}
    assert members["AMR"] == members["NAC"] | members["LAC"]
    assert members["LAC"] == members["CAM"] | members["CAR"] | members["SAM"]
    assert not members["CAM"] & members["CAR"] and not members["CAR"] & members["SAM"]
    assert {"MEX", "GTM", "PAN"} <= members["CAM"] and {"CAN", "USA"} <= members["NAC"]
    assert len(members["AMR"]) == 57


def vendored_area_values(file_name: str, column: str) -> set[str]:
    with gzip.open(VENDORED_DIR / file_name, "rt", encoding="utf-8", newline="") as f:
        values = {row[column] for row in csv.DictReader(f)}
    # IOM lists several nationalities of one incident separated by commas; an empty cell is a total row.
    return {part for value in values for part in value.split(",") if part}


def test_every_vendored_file_is_checked_for_area_codes() -> None:
    vendored = {path.name for path in VENDORED_DIR.glob("*.csv.gz")}
    assert vendored - AREA_COLUMNS.keys() - FILES_WITHOUT_AREAS == set()


@pytest.mark.parametrize(
    ("file_name", "column"),
    [pytest.param(f, c, id=f"{f.split('.')[0]}-{c}") for f, columns in AREA_COLUMNS.items() for c in columns],
)
def test_every_area_code_of_a_vendored_source_is_in_cl_area_or_has_a_mapping(file_name: str, column: str) -> None:
    if not (VENDORED_DIR / file_name).exists():
        pytest.skip(f"{file_name} is not vendored")
    codes = area_codes()
    assert all(target in codes for target in SOURCE_AREA_MAPPING.values())
    unknown = sorted(vendored_area_values(file_name, column) - codes.keys() - SOURCE_AREA_MAPPING.keys())
    assert unknown == []


# --- Dataflows -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [dataflow_param(p) for p in DATAFLOW_FILES])
def test_dataflow_components_are_concepts_with_existing_codelists(path: Path) -> None:
    document = read_yaml(path)
    concepts = {concept["id"] for concept in read_yaml(STRUCTURES_DIR / "concepts.yaml")["concepts"]}
    codelists = {p.stem for p in CODELIST_FILES}
    components = [*document["dimensions"], *document.get("attributes", ())]
    ids = [component["id"] for component in components]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert [i for i in ids if i not in concepts] == []
    assert [c["codelist"] for c in components if c.get("codelist") and c["codelist"] not in codelists] == []


SPAIN_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.])")


def _spanish_texts(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "es" and isinstance(value, str):
                yield value
            else:
                yield from _spanish_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _spanish_texts(item)


def test_spanish_texts_write_thousands_as_in_mexico_and_central_america() -> None:
    """es-419 writes 129,739,759 and 3.5 millones; a note written 129.739.759 (Spain) reads as 129 to a reader
    in the region. Seen red with DF_POPULATION's note as it was."""
    package = Path(__file__).resolve().parents[2] / "pivgm"
    found = [
        (path.relative_to(package).as_posix(), match.group())
        for path in sorted(package.rglob("*.yaml"))
        for text in _spanish_texts(yaml.safe_load(path.read_text(encoding="utf-8")))
        for match in SPAIN_THOUSANDS.finditer(text)
    ]
    assert found == []
