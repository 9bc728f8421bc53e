"""Country names in Spanish and English to CL_AREA codes: "EE.UU." -> USA, "Corea del Sur" -> KOR.

Names come, in this order of authority, from the alias table (``alias/CL_AREA.yaml``), the codelist's own
Spanish and English names, and ISO 3166 (pycountry: official, common and short names, with their Spanish
translations). Two-letter ISO codes written in capitals ("MX") and the codelist's own codes match too.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from functools import cache

import pycountry

from pivgm.ingest.labels import CodeMatcher, matcher_for
from pivgm.model import Codelist

AREA_CODELIST = "CL_AREA"


def _iso_names(codes: frozenset[str]) -> dict[str, list[str]]:
    """ISO 3166 names of the codes, in English and Spanish."""
    spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True)
    names: dict[str, list[str]] = {}
    for country in pycountry.countries:
        if country.alpha_3 not in codes:
            continue
        english = [
            getattr(country, attribute)
            for attribute in ("name", "official_name", "common_name")
            if getattr(country, attribute, None)
        ]
        names[country.alpha_3] = [*english, *(spanish.gettext(name) for name in english)]
    return names


class CountryMatcher(CodeMatcher):
    """A ``CodeMatcher`` for CL_AREA with ISO names and two-letter codes."""

    _alpha2: dict[str, str]

    @classmethod
    def build_for(cls, codelist: Codelist) -> CountryMatcher:
        matcher = cls.build(codelist, [_iso_names(codelist.ids())])
        assert isinstance(matcher, CountryMatcher)
        matcher._alpha2 = {code.annotations["iso2"]: code.id for code in codelist if "iso2" in code.annotations}
        return matcher

    def match(self, label: str) -> str | None:
        text = label.strip()
        if len(text) == 2 and text.isupper() and text in self._alpha2:
            return self._alpha2[text]
        return super().match(label)


@cache
def _standard_matcher() -> CodeMatcher:
    from pivgm.structures import load_standard

    return matcher_for(load_standard().codelist(AREA_CODELIST))


def match_country(name: str) -> str | None:
    """The CL_AREA code of a country name in Spanish or English, or None if it is unknown or ambiguous."""
    return _standard_matcher().match(name)


def closest(name: str, n: int = 3) -> list[str]:
    """Up to ``n`` CL_AREA codes whose names are closest to ``name`` (hints for an unknown name)."""
    return _standard_matcher().closest(name, n)


def match_countries(names: Iterable[str]) -> dict[str, str | None]:
    """Each distinct name with its code (None if unknown)."""
    return {name: match_country(name) for name in set(names)}
