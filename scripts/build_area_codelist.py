"""Build the countries-and-areas codelist ``CL_AREA`` from ISO 3166-1 and UN M49.

Run from the project root with the shared data folder as argument:

    python scripts/build_area_codelist.py ../shared/data

It reads ``country_boundaries/iso3166_countries_en_es.csv`` (ISO 3166-1 with Spanish names) and
``country_boundaries/iom_gdi_countrynames.csv`` (UN M49 groupings, IOM edition) and writes
``pivgm/structures/codelists/CL_AREA.yaml``. The output depends only on the inputs and the tables below, so
re-running the script gives identical bytes. Names the catalogue gets wrong or leaves untranslated are fixed
in ``NAME_FIXES``; codes outside ISO 3166-1 are in ``EXTRA_AREAS``; groupings in ``REGIONS``.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TARGET = Path(__file__).resolve().parent.parent / "pivgm" / "structures" / "codelists" / "CL_AREA.yaml"

Row = dict[str, str]

# Spanish (and a few English) names that replace the catalogue's. Every ISO row whose English name has a
# common short form (`common_name_en`) needs its Spanish short form here too.
NAME_FIXES: dict[str, dict[str, str]] = {
    "ALA": {"es": "Islas Åland"},
    "BES": {"es": "Bonaire, San Eustaquio y Saba"},
    "BFA": {"es": "Burkina Faso"},
    "BMU": {"es": "Bermudas"},
    "BOL": {"es": "Bolivia"},
    "CIV": {"es": "Costa de Marfil"},
    "COD": {"es": "República Democrática del Congo", "en": "Democratic Republic of the Congo"},
    "COM": {"es": "Comoras"},
    "DZA": {"es": "Argelia"},
    "FLK": {"es": "Islas Malvinas (Falkland)"},
    "FSM": {"es": "Micronesia (Estados Federados de)", "en": "Micronesia (Federated States of)"},
    "IRN": {"es": "Irán"},
    "KOR": {"es": "Corea del Sur"},
    "LAO": {"es": "Laos"},
    "MAF": {"es": "San Martín (parte francesa)"},
    "MDA": {"es": "Moldavia"},
    "MDV": {"es": "Maldivas"},
    "MMR": {"es": "Myanmar"},
    "NER": {"es": "Níger"},
    "PRK": {"es": "Corea del Norte"},
    "PSE": {"es": "Estado de Palestina", "en": "State of Palestine"},
    "RUS": {"es": "Federación de Rusia"},
    "SAU": {"es": "Arabia Saudita"},
    "SUR": {"es": "Surinam"},
    "SXM": {"es": "San Martín (parte neerlandesa)"},
    "SYR": {"es": "Siria"},
    "TUN": {"es": "Túnez"},
    "TWN": {"es": "Taiwán"},
    "TZA": {"es": "Tanzania"},
    "VEN": {"es": "Venezuela"},
    "VGB": {"es": "Islas Vírgenes Británicas", "en": "British Virgin Islands"},
    "VIR": {"es": "Islas Vírgenes de los Estados Unidos", "en": "United States Virgin Islands"},
    "VNM": {"es": "Vietnam"},
}


@dataclass(frozen=True)
class Area:
    """A code outside ISO 3166-1 (source-specific, historic or special)."""

    id: str
    es: str
    en: str
    description_es: str
    description_en: str
    members: tuple[str, ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()


# Codes used by the sources that ISO 3166-1 does not have, and the SDMX special codes.
EXTRA_AREAS: tuple[Area, ...] = (
    Area(
        "ABK",
        "Abjasia",
        "Abkhazia",
        "Código propio del Banco de México («República de Abjasia»); no es un código ISO 3166-1. Para las "
        "Naciones Unidas el territorio forma parte de Georgia.",
        'Bank of Mexico\'s own code ("República de Abjasia"); not an ISO 3166-1 code. The United Nations '
        "consider the territory part of Georgia.",
    ),
    Area(
        "ANT",
        "Antillas Neerlandesas",
        "Netherlands Antilles",
        "Código ISO 3166-1 retirado en 2010, cuando el país se disolvió; lo siguen usando algunas fuentes "
        "para años anteriores.",
        "ISO 3166-1 code withdrawn in 2010, when the country was dissolved; some sources still use it for "
        "earlier years.",
        members=("BES", "CUW", "SXM"),
        annotations=(("iso2", "AN"), ("iso_numeric", "530")),
    ),
    Area(
        "TIB",
        "Tíbet",
        "Tibet",
        "Código propio del ACNUR y de Panamá para personas de origen tibetano; no es un código ISO 3166-1.",
        "Code used by UNHCR and Panama for people of Tibetan origin; not an ISO 3166-1 code.",
    ),
    Area(
        "XCX",
        "Islas del Canal",
        "Channel Islands",
        "Guernsey y Jersey, que UN DESA publica como una sola entidad (M49 830); no es un código ISO 3166-1.",
        "Guernsey and Jersey, which UN DESA reports as one entity (M49 830); not an ISO 3166-1 code.",
        members=("GGY", "JEY"),
        annotations=(("m49", "830"),),
    ),
    Area(
        "XKX",
        "Kosovo",
        "Kosovo",
        "Kosovo en el sentido de la resolución 1244 (1999) del Consejo de Seguridad; código de uso común, "
        "no ISO 3166-1.",
        "Kosovo under United Nations Security Council resolution 1244 (1999); code in common use, not ISO 3166-1.",
        annotations=(("iso2", "XK"),),
    ),
    Area(
        "XXA",
        "Personas apátridas",
        "Stateless persons",
        "Personas sin nacionalidad (código de los documentos de viaje de lectura mecánica; «STL» en los "
        "datos de la OIM).",
        'People without a nationality (code of machine-readable travel documents; "STL" in IOM data).',
    ),
    Area(
        "_O",
        "Otros países",
        "Other countries",
        "Países que la fuente no desglosa, o de origen no especificado (p. ej. «OOO» de la OIM, «Other» de la CBP).",
        'Countries the source does not break down, or unspecified origin (e.g. IOM\'s "OOO", CBP\'s "Other").',
    ),
    Area(
        "_U",
        "Desconocido",
        "Unknown",
        "País o área desconocida (p. ej. «UNK» del ACNUR).",
        'Unknown country or area (e.g. UNHCR\'s "UNK").',
    ),
    Area(
        "_Z",
        "No aplica",
        "Not applicable",
        "La dimensión no aplica a la observación.",
        "The dimension does not apply to the observation.",
    ),
)


@dataclass(frozen=True)
class Region:
    """A grouping of ISO areas, given by an M49 test on the dictionary row or by an explicit list."""

    id: str
    es: str
    en: str
    description_es: str
    description_en: str
    m49: str | None = None
    belongs: Callable[[Row], bool] | None = None
    members: tuple[str, ...] = ()


REGIONS: tuple[Region, ...] = (
    Region(
        "WLD",
        "Mundo",
        "World",
        "Todos los países y áreas del mundo (M49 001).",
        "All countries and areas of the world (M49 001).",
        m49="001",
    ),
    Region(
        "AMR",
        "Américas",
        "Americas",
        "Región geográfica de las Américas de la clasificación M49 de las Naciones Unidas (019).",
        "The Americas geographic region of the United Nations M49 standard (019).",
        m49="019",
        belongs=lambda r: r["region_code"] == "19",
    ),
    Region(
        "LAC",
        "América Latina y el Caribe",
        "Latin America and the Caribbean",
        "Subregión M49 419: Centroamérica (con México), el Caribe y América del Sur.",
        "M49 subregion 419: Central America (with Mexico), the Caribbean and South America.",
        m49="419",
        belongs=lambda r: r["subregion_code"] == "419",
    ),
    Region(
        "NAC",
        "América del Norte",
        "Northern America",
        "Subregión M49 021: Bermudas, Canadá, Estados Unidos, Groenlandia y San Pedro y Miquelón; México "
        "forma parte de Centroamérica.",
        "M49 subregion 021: Bermuda, Canada, Greenland, Saint Pierre and Miquelon and the United States; "
        "Mexico is part of Central America.",
        m49="021",
        belongs=lambda r: r["subregion_code"] == "21",
    ),
    Region(
        "CAM",
        "Centroamérica",
        "Central America",
        "Región intermedia M49 013: Belice, Costa Rica, El Salvador, Guatemala, Honduras, México, Nicaragua y Panamá.",
        "M49 intermediate region 013: Belize, Costa Rica, El Salvador, Guatemala, Honduras, Mexico, "
        "Nicaragua and Panama.",
        m49="013",
        belongs=lambda r: r["intregion_code"] == "13",
    ),
    Region(
        "CAR",
        "El Caribe",
        "Caribbean",
        "Región intermedia M49 029.",
        "M49 intermediate region 029.",
        m49="029",
        belongs=lambda r: r["intregion_code"] == "29",
    ),
    Region(
        "SAM",
        "América del Sur",
        "South America",
        "Región intermedia M49 005.",
        "M49 intermediate region 005.",
        m49="005",
        belongs=lambda r: r["intregion_code"] == "5",
    ),
    Region(
        "CAMX",
        "Centroamérica sin México",
        "Central America except Mexico",
        "Países de Centroamérica (región M49 013) salvo México: el grupo «Other Central America» de la "
        "Oficina del Censo de los Estados Unidos.",
        "Countries of Central America (M49 region 013) except Mexico: the US Census Bureau's "
        '"Other Central America" group.',
        members=("BLZ", "CRI", "GTM", "HND", "NIC", "PAN", "SLV"),
    ),
    Region(
        "RCM",
        "Países miembros de la Conferencia Regional sobre Migración",
        "Member states of the Regional Conference on Migration",
        "Estados miembros de la Conferencia Regional sobre Migración (Proceso Puebla).",
        "Member states of the Regional Conference on Migration (Puebla Process).",
        members=("BLZ", "CAN", "CRI", "DOM", "GTM", "HND", "MEX", "NIC", "PAN", "SLV", "USA"),
    ),
    Region(
        "SICA",
        "Países miembros del SICA",
        "SICA member states",
        "Estados miembros del Sistema de la Integración Centroamericana.",
        "Member states of the Central American Integration System.",
        members=("BLZ", "CRI", "DOM", "GTM", "HND", "NIC", "PAN", "SLV"),
    ),
)

TOTAL = Area(
    "_T",
    "Todos los países",
    "All countries",
    "Total de todos los países y áreas de la fuente, incluidos los no especificados.",
    "Total of all the source's countries and areas, including unspecified ones.",
)


class _Flow(dict[str, Any]):
    """A mapping written on one line."""


class _FlowList(list[str]):
    """A list written on one line (wrapped when long)."""


class _Quoted(str):
    """A string always quoted, so that codes such as ``019`` stay text for every YAML reader."""


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists; ``_Flow``/``_FlowList`` in flow style."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))
_Dumper.add_representer(_Quoted, lambda d, data: d.represent_scalar("tag:yaml.org,2002:str", data, style="'"))
_Dumper.add_representer(_FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True))


def names(es: str, en: str) -> dict[str, str]:
    """Spanish and English names, on one line unless they are long."""
    return _Flow(es=es, en=en) if len(es) + len(en) < 80 else {"es": es, "en": en}


def annotation_map(pairs: dict[str, str]) -> _Flow:
    return _Flow({key: _Quoted(value) for key, value in pairs.items()})


def read_csv(path: Path) -> list[Row]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def m49_code(value: str) -> str:
    """A M49 code as the 3-digit string the UN publishes (``19`` -> ``019``)."""
    return value.zfill(3)


def m49_annotations(row: Row | None) -> dict[str, str]:
    if row is None:
        return {}
    pairs = (
        ("m49_region", row["region_code"]),
        ("m49_subregion", row["subregion_code"]),
        ("m49_intermediate_region", row["intregion_code"]),
    )
    return {key: m49_code(value) for key, value in pairs if value}


def iso_code(row: Row, m49: Row | None) -> dict[str, Any]:
    fix = NAME_FIXES.get(row["alpha_3"], {})
    if row["common_name_en"] and "es" not in fix:
        raise SystemExit(f"{row['alpha_3']}: has a common English name; add its Spanish one to NAME_FIXES")
    return {
        "id": row["alpha_3"],
        "name": names(fix.get("es", row["name_es"]), fix.get("en", row["common_name_en"] or row["name_en"])),
        "annotations": annotation_map({"iso2": row["alpha_2"], "iso_numeric": row["numeric"], **m49_annotations(m49)}),
    }


def extra_code(area: Area, m49: Row | None) -> dict[str, Any]:
    code: dict[str, Any] = {
        "id": area.id,
        "name": names(area.es, area.en),
        "description": {"es": area.description_es, "en": area.description_en},
    }
    if area.members:
        code["members"] = _FlowList(area.members)
    pairs = {**dict(area.annotations), **m49_annotations(m49)}
    if pairs:
        code["annotations"] = annotation_map(pairs)
    return code


def region_code(region: Region, dictionary: Iterable[Row], iso: set[str]) -> dict[str, Any]:
    code: dict[str, Any] = {
        "id": region.id,
        "name": names(region.es, region.en),
        "description": {"es": region.description_es, "en": region.description_en},
    }
    belongs = region.belongs
    members = (
        sorted(r["iso3"] for r in dictionary if r["iso3"] in iso and belongs(r))
        if belongs is not None
        else list(region.members)
    )
    if members:
        code["members"] = _FlowList(members)
    if region.m49:
        code["annotations"] = annotation_map({"m49": region.m49})
    return code


def build(shared: Path) -> dict[str, Any]:
    """The codelist as a YAML-ready mapping."""
    folder = shared / "country_boundaries"
    iso_rows = sorted(read_csv(folder / "iso3166_countries_en_es.csv"), key=lambda r: r["alpha_3"])
    dictionary = read_csv(folder / "iom_gdi_countrynames.csv")
    by_iso3 = {r["iso3"]: r for r in dictionary}
    iso = {r["alpha_3"] for r in iso_rows}
    codes = [
        extra_code(TOTAL, None),
        *(region_code(region, dictionary, iso) for region in REGIONS),
        *(iso_code(row, by_iso3.get(row["alpha_3"])) for row in iso_rows),
        *(extra_code(area, by_iso3.get(area.id)) for area in EXTRA_AREAS),
    ]
    return {
        "id": "CL_AREA",
        "agency": "PIVGM",
        "version": "1.0",
        "name": names("Países y áreas", "Countries and areas"),
        "description": {
            "es": (
                "Países y áreas según la norma ISO 3166-1 alfa-3, con códigos adicionales para áreas que "
                "usan las fuentes (Kosovo, Islas del Canal, Tíbet, Antillas Neerlandesas, Abjasia), "
                "personas apátridas, los códigos especiales SDMX (_T total, _O otros, _U desconocido, "
                "_Z no aplica) y agrupaciones regionales (M49 de las Naciones Unidas, Conferencia Regional "
                "sobre Migración, SICA). Las anotaciones dan el código ISO alfa-2, el código numérico ISO "
                "(el identificador de los mapas) y las regiones M49."
            ),
            "en": (
                "Countries and areas by ISO 3166-1 alpha-3, with additional codes for areas the sources use "
                "(Kosovo, Channel Islands, Tibet, Netherlands Antilles, Abkhazia), stateless persons, the "
                "SDMX special codes (_T total, _O other, _U unknown, _Z not applicable) and regional "
                "groupings (United Nations M49, Regional Conference on Migration, SICA). Annotations give "
                "the ISO alpha-2 code, the ISO numeric code (the map identifier) and the M49 regions."
            ),
        },
        "codes": codes,
    }


HEADER = (
    "# Generated by scripts/build_area_codelist.py from ISO 3166-1 (Debian iso-codes, via pycountry) and\n"
    "# the UN M49 dictionary of IOM's gdidata package. Edit the script and re-run it; do not edit by hand.\n"
)


def main(shared: Path) -> None:
    text = yaml.dump(
        build(shared),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=110,
        default_flow_style=False,
    )
    TARGET.write_text(HEADER + text, encoding="utf-8")
    print(f"wrote {TARGET.name}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
