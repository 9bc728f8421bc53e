"""Why an indicator has no value, in the page's language: the data keep the platform's English reason
(``OBS_COMMENT``, for machines), pages and downloads for people translate it."""

from __future__ import annotations

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
