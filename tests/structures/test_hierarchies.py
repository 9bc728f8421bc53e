"""The regional hierarchies over CL_AREA: one file each, a region's countries taken from its grouping code's
members, and clear errors for a hierarchy that names a code twice or one that does not exist (each seen red:
without the members rule, without the check for a code placed twice)."""

from __future__ import annotations

import pytest

from pivgm.errors import StructureError
from pivgm.structures import load_standard
from pivgm.structures.hierarchy_files import associations as associations_of
from pivgm.structures.hierarchy_files import hierarchy


def test_the_regions_of_the_americas_split_the_americas_into_the_m49_regions_and_their_countries():
    standard = load_standard()
    areas = standard.codelists["CL_AREA"]
    (americas,) = standard.hierarchies["H_M49_AMERICAS"].codes
    assert americas.code == "AMR"
    regions = {node.code: node for node in americas.walk() if node.children}
    assert list(regions) == ["AMR", "NAC", "LAC", "CAM", "CAR", "SAM"]
    for region in ("NAC", "CAM", "CAR", "SAM"):
        assert set(regions[region].leaves()) == set(areas.get(region).members)
    assert sorted(americas.leaves()) == sorted(areas.get("AMR").members)  # each country once


def test_each_membership_grouping_is_a_hierarchy_of_its_members():
    standard = load_standard()
    for hierarchy_id, group in (("H_RCM", "RCM"), ("H_SICA", "SICA"), ("H_CAMX", "CAMX"), ("H_CMC", "CMC")):
        (root,) = standard.hierarchies[hierarchy_id].codes
        assert (root.code, root.leaves()) == (group, standard.codelists["CL_AREA"].get(group).members)


RAW = {"id": "H_TEST", "agency": "PIVGM", "version": "1.0", "codelist": "CL_AREA", "name": {"es": "P", "en": "T"}}


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ([{"code": "ATLANTIS"}], "code 'ATLANTIS' is not in CL_AREA"),
        ([{"code": "CAM"}, {"code": "SICA"}], "code 'BLZ' is placed twice"),
    ],
)
def test_a_hierarchy_with_an_unknown_or_repeated_code_is_refused_naming_the_file(codes, message):
    with pytest.raises(StructureError, match=f"hierarchies/H_TEST.yaml: {message}"):
        hierarchy({**RAW, "codes": codes}, load_standard().codelists, "hierarchies/H_TEST.yaml")


def test_each_code_of_the_americas_has_its_m49_region_as_parent_in_cl_area():
    """CL_AREA's parents are the M49 hierarchy's one-parent tree (seen red with MEX's parent removed)."""
    standard = load_standard()
    areas = standard.codelists["CL_AREA"]
    for node in standard.hierarchies["H_M49_AMERICAS"].walk():
        for child in node.children:
            assert areas.get(child.code).parent == node.code, child.code
    assert areas.get("AMR").parent == "WLD" and areas.get("ESP").parent is None


def test_the_americas_are_associated_with_the_reporting_areas_of_the_dataflows_reported_in_the_americas():
    """SDMX 3.0 hierarchy associations: one per dataflow dimension, linking the M49 tree of the Americas."""
    standard = load_standard()
    transit = standard.associations["HA_IRREGULAR_TRANSIT_REF_AREA"]
    assert (transit.hierarchy.id, transit.dataflow.id, transit.dimension) == (
        "H_M49_AMERICAS",
        "DF_IRREGULAR_TRANSIT",
        "REF_AREA",
    )
    dimension = "urn:sdmx:org.sdmx.infomodel.datastructure.Dimension=PIVGM:DSD_IRREGULAR_TRANSIT(1.0).REF_AREA"
    assert transit.linked_object == dimension
    assert {a.hierarchy.id for a in standard.associations.values()} == {"H_M49_AMERICAS"}


@pytest.mark.parametrize(
    ("associations", "message"),
    [
        ({"REF_AREA": ["DF_NOPE"]}, "associations name DF_NOPE REF_AREA, not a dimension"),
        ({"SEX": ["DF_IRREGULAR_TRANSIT"]}, "DF_IRREGULAR_TRANSIT SEX is not coded by CL_AREA"),
        ({"REF_AREA": ["DF_BORDER_ENCOUNTERS"]}, "DF_BORDER_ENCOUNTERS allows REF_AREA=USA, not in H_TEST"),
    ],
)
def test_an_association_the_hierarchy_cannot_hold_is_refused_naming_the_file(associations, message):
    """Seen red without the check of a dataflow's allowed codes: a client would read a tree missing USA."""
    standard = load_standard()
    raw = {**RAW, "codes": [{"code": "CAM"}], "associations": associations}
    found = hierarchy(raw, standard.codelists, "hierarchies/H_TEST.yaml")
    with pytest.raises(StructureError, match=f"hierarchies/H_TEST.yaml: {message}"):
        associations_of(raw, found, standard.dataflows, "hierarchies/H_TEST.yaml")
