"""The agencies behind the vendored sources are registered providers: what they publish through an
importer, they can update by submitting a file, like a country's migration authority."""

from __future__ import annotations

from pivgm.sources import all_importers
from pivgm.structures import load_standard


def test_every_importer_publishes_under_a_registered_provider():
    """Fails if an importer's provider is missing from providers.yaml (its updates could not be submitted)."""
    providers = load_standard().providers
    missing = {i.id: i.provider_id for i in all_importers().values() if i.provider_id not in providers}
    assert missing == {}


def test_international_organisations_may_report_any_area():
    providers = load_standard().providers
    international = {p.id for p in providers.values() if p.international}
    assert international == {"IOM_MMP", "UNDESA", "UNHCR", "WB", "PIVGM"}  # PIVGM: the derived indicators
    assert all(providers[p].countries == () for p in international)
    assert providers["US_CBP"].countries == ("USA",) and providers["PA_INEC"].countries == ("PAN",)
