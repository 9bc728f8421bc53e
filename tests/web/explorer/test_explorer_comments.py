"""Why an indicator has no value, in the page's language: the data keep the platform's English reason
(``OBS_COMMENT``, for machines), pages and downloads for people translate it."""

from __future__ import annotations

import re

import pytest

from pivgm.structures import load_standard
from pivgm.web.comments import comment_in

MONTH_ON_MONTH = {
    "FREQ": "*",
    "REF_AREA": "*",
    "CITIZENSHIP": "_T",
    "view": "table",
    "cols": "TIME_PERIOD",
}


def test_the_reason_an_indicator_is_missing_reads_in_spanish_on_spanish_pages(get_page):
    """Fails if tables show the English reason on a Spanish page (the explorer's notes under the table)."""
    spanish = get_page("/explore/DF_IND_TRANSIT_MOM", lang="es", **MONTH_ON_MONTH)
    english = get_page("/explore/DF_IND_TRANSIT_MOM", lang="en", **MONTH_ON_MONTH)
    assert "falta un dato de entrada: month_before (DF_IRREGULAR_TRANSIT)" in spanish
    assert "missing input" not in spanish
    assert "missing input: month_before (DF_IRREGULAR_TRANSIT)" in english


def test_downloads_for_people_translate_the_reason(client):
    params = {**MONTH_ON_MONTH, "format": "csv", "scope": "long", "lang": "es"}
    text = client.get("/explore/DF_IND_TRANSIT_MOM/download", params=params).text
    assert "falta un dato de entrada" in text and "missing input" not in text


def test_only_the_platforms_own_reasons_are_translated():
    assert comment_in("undefined: divisor substantive is zero", "es") == "sin definir: el divisor substantive es cero"
    assert (
        comment_in("incomplete 12-period window: transits (X)", "es")
        == "ventana incompleta de 12 periodos: transits (X)"
    )
    assert comment_in("Cifras preliminares del INM", "es") == "Cifras preliminares del INM"  # a provider's own
    assert comment_in("undefined: divisor substantive is zero", "en") == "undefined: divisor substantive is zero"


def test_iom_incident_notes_read_in_spanish_on_spanish_pages(get_page):
    """The importer's labels and IOM's closed lists (incident types, causes) are written in Spanish; fails if
    the Spanish page reads "IOM incident type: Split Incident; IOM causes: Drowning…" as it did."""
    spanish = get_page("/explore/DF_MISSING_MIGRANTS_INCIDENTS", lang="es")
    english = get_page("/explore/DF_MISSING_MIGRANTS_INCIDENTS", lang="en")
    assert "IOM incident type" in english or "IOM causes" in english
    for english_label in ("IOM incident type", "IOM causes", "Split Incident", "Drowning", "Mixed or unknown"):
        assert english_label not in spanish, english_label
    assert "Tipo de incidente (OIM)" in spanish or "Causas (OIM)" in spanish


def test_iom_causes_are_named_as_in_the_cause_codelist():
    causes = load_standard().codelists["CL_CAUSE_OF_DEATH"]
    causes_cell = "Drowning, Harsh environmental conditions / lack of adequate shelter, food, water"
    note = f"IOM incident type: Split Incident; IOM causes: {causes_cell}"
    assert comment_in(note, "es", causes) == (
        "Tipo de incidente (OIM): incidente dividido; Causas (OIM): Ahogamiento · "
        "Condiciones ambientales adversas o falta de refugio, alimento o agua adecuados"
    )
    assert comment_in(note, "en", causes) == note


@pytest.mark.parametrize("dataflow_id", ["DF_IND_MIGRANTS_WOMEN_SHARE", "DF_IND_REFUGEES_PER_1000"])
def test_an_indicators_formula_is_given_in_words_in_the_pages_language(get_page, dataflow_id):
    """Fails if the methodology shows the code formula ("Fórmula: 100 * women / migrants") as it did."""
    spanish = get_page(f"/explore/{dataflow_id}", lang="es")
    english = get_page(f"/explore/{dataflow_id}", lang="en")
    assert "Fórmula: " in spanish and "Formula: " in english
    assert not re.search(r"Fórmula: [^<]*\*", spanish) and not re.search(r"Formula: [^<]*\*", english)
    assert re.search(r"Fórmula: [^<]*divididas por", spanish) and re.search(r"Formula: [^<]*divided by", english)
