"""Country names in Spanish and English, as national files write them, to CL_AREA codes."""

from __future__ import annotations

import pytest

from pivgm.ingest.countries import closest, match_countries, match_country


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Guatemala", "GTM"),
        ("GUATEMALA", "GTM"),
        ("EE.UU.", "USA"),
        ("EEUU", "USA"),
        ("Estados Unidos de América", "USA"),
        ("United States", "USA"),
        ("República Dominicana", "DOM"),
        ("Rep. Dominicana", "DOM"),
        ("Venezuela (República Bolivariana de)", "VEN"),
        ("Venezuela, República Bolivariana de", "VEN"),
        ("Bolivia (Estado Plurinacional de)", "BOL"),
        ("Corea del Sur", "KOR"),
        ("Korea, Republic of", "KOR"),
        ("Haití", "HTI"),
        ("Haiti", "HTI"),
        ("Brasil", "BRA"),
        ("Costa de Marfil", "CIV"),
        ("Côte d'Ivoire", "CIV"),
        ("Camerún", "CMR"),
        ("Afganistán", "AFG"),
        ("Uzbekistán", "UZB"),
        ("Reino Unido", "GBR"),
        ("Viet Nam", "VNM"),
        ("Apátrida", "XXA"),
        ("No especificado", "_U"),
        ("Otros países", "_O"),
        ("Total", "_T"),
        ("Cuba*", "CUB"),
        ("Guatemala 1/", "GTM"),
        ("MX", "MEX"),
        ("GTM", "GTM"),
        ("hnd", "HND"),
    ],
)
def test_names_match_codes(name, code):
    assert match_country(name) == code


@pytest.mark.parametrize("name", ["Guatamala", "Narnia", "", "mx"])
def test_unknown_names_match_nothing(name):
    assert match_country(name) is None


def test_closest_codes_hint_at_a_misspelt_name():
    assert closest("Guatamala")[0] == "GTM"
    assert "ECU" in closest("Ecuadorr")
    assert len(closest("Colmbia", n=2)) <= 2


def test_many_names_at_once():
    assert match_countries(["Perú", "Perú", "Narnia"]) == {"Perú": "PER", "Narnia": None}
