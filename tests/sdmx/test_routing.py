"""SDMX REST paths and parameters become the right queries; malformed ones are syntax errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pivgm.sdmx.errors import NoResultsError, NotImplementedSdmxError, QuerySyntaxError
from pivgm.sdmx.formats import Kind, negotiate
from pivgm.sdmx.keys import parse_key, period_bounds
from pivgm.sdmx.query import DataDetail, DataQuery, FlowRef, StructureDetail, StructureQuery
from pivgm.sdmx.routing import parse
from pivgm.structures import load_standard

TRANSIT = load_standard().dataflow("DF_IRREGULAR_TRANSIT").structure


@pytest.mark.parametrize(
    ("flow_ref", "expected"),
    [
        ("DF_MIG_STOCK", FlowRef("DF_MIG_STOCK")),
        ("PIVGM,DF_MIG_STOCK", FlowRef("DF_MIG_STOCK", "PIVGM")),
        ("PIVGM,DF_MIG_STOCK,1.0", FlowRef("DF_MIG_STOCK", "PIVGM", "1.0")),
        ("all,DF_MIG_STOCK,latest", FlowRef("DF_MIG_STOCK")),
    ],
)
def test_a_dataflow_reference_may_name_agency_and_version(flow_ref, expected):
    query = parse(f"data/{flow_ref}/all", {})
    assert isinstance(query, DataQuery)
    assert query.flow == expected


def test_a_data_query_carries_every_parameter():
    query = parse(
        "data/DF_IRREGULAR_TRANSIT/M.PAN+HND...../PA_SNM",
        {
            "startPeriod": "2020-Q2",
            "endPeriod": "2021",
            "updatedAfter": "2024-05-15T14:15:00 01:00",
            "firstNObservations": "3",
            "lastNObservations": "2",
            "dimensionAtObservation": "AllDimensions",
            "detail": "DataOnly",
            "includeHistory": "true",
        },
    )
    assert isinstance(query, DataQuery)
    assert query.key == "M.PAN+HND....."
    assert query.providers == ("PA_SNM",)
    assert (query.start, query.end) == (date(2020, 4, 1), date(2021, 12, 31))
    assert query.updated_after == datetime(2024, 5, 15, 13, 15, tzinfo=UTC)
    assert (query.first_n, query.last_n) == (3, 2)
    assert query.dimension_at_observation == "AllDimensions"
    assert query.detail is DataDetail.DATAONLY
    assert query.include_history


def test_structure_paths_default_to_any_agency_and_id_and_the_latest_version():
    query = parse("codelist", {})
    assert isinstance(query, StructureQuery)
    assert (query.agency.values, query.id.values, query.version.values) == (None, None, ("latest",))
    query = parse("codelist/PIVGM/CL_SEX+CL_AGE/1.0/F", {"references": "parents", "detail": "allstubs"})
    assert query.id.values == ("CL_SEX", "CL_AGE")
    assert query.items.values == ("F",)
    assert (query.references, query.detail) == ("parents", StructureDetail.ALLSTUBS)


def test_v2_paths_use_commas_and_tildes():
    query = parse("v2/structure/codelist/*/CL_SEX,CL_AGE/~", {})
    assert isinstance(query, StructureQuery)
    assert query.id.values == ("CL_SEX", "CL_AGE")
    assert query.version.values == ("latest",)
    data = parse("v2/data/dataflow/PIVGM/DF_MIG_STOCK/1.0/A.*.MEX..", {"c[TIME_PERIOD]": "ge:2010 le:2020"})
    assert isinstance(data, DataQuery)
    assert data.flow == FlowRef("DF_MIG_STOCK", "PIVGM", "1.0")
    assert (data.start, data.end) == (date(2010, 1, 1), date(2020, 12, 31))


@pytest.mark.parametrize(
    ("path", "parameters", "error"),
    [
        ("", {}, QuerySyntaxError),
        ("nonsense/DF_X", {}, QuerySyntaxError),
        ("data", {}, QuerySyntaxError),
        ("data/DF_X/all/all/extra", {}, QuerySyntaxError),
        ("data/A,B,C,D", {}, QuerySyntaxError),
        ("data/DF_X", {"startPeriod": "2020-13"}, QuerySyntaxError),
        ("data/DF_X", {"startPeriod": "2021", "endPeriod": "2020"}, QuerySyntaxError),
        ("data/DF_X", {"firstNObservations": "0"}, QuerySyntaxError),
        ("data/DF_X", {"detail": "everything"}, QuerySyntaxError),
        ("data/DF_X", {"updatedAfter": "yesterday"}, QuerySyntaxError),
        ("data/DF_X", {"includeDrafts": "maybe"}, QuerySyntaxError),
        ("codelist/PIVGM/CL_SEX/1.0", {"references": "cousins"}, QuerySyntaxError),
        ("categoryscheme", {}, NoResultsError),
        ("v2/metadata/x", {}, NotImplementedSdmxError),
        ("v2/data/datastructure/PIVGM/DSD_X/1.0", {}, NotImplementedSdmxError),
        ("schema/provisionagreement/PIVGM/X", {}, NotImplementedSdmxError),
    ],
)
def test_malformed_queries_are_refused_with_the_error_the_standard_names(path, parameters, error):
    with pytest.raises(error):
        parse(path, parameters)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("all", {}),
        (".....", {}),
        ("M.PAN+HND....", {"FREQ": ["M"], "REF_AREA": ["PAN", "HND"]}),
        ("*.*.VEN.F..", {"CITIZENSHIP": ["VEN"], "SEX": ["F"]}),
    ],
)
def test_keys_select_codes_by_position(key, expected):
    assert parse_key(key, TRANSIT) == expected


def test_a_key_with_the_wrong_number_of_positions_is_a_syntax_error_that_shows_the_dimensions():
    with pytest.raises(QuerySyntaxError, match=r"FREQ\.REF_AREA\.CITIZENSHIP\.SEX\.AGE\.ACCOMPANIMENT"):
        parse_key("M.PAN", TRANSIT)


def test_a_code_outside_the_codelist_finds_no_results():
    with pytest.raises(NoResultsError, match="CL_AREA"):
        parse_key("M.XYZ....", TRANSIT)


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("2023", (date(2023, 1, 1), date(2023, 12, 31))),
        ("2023-S2", (date(2023, 7, 1), date(2023, 12, 31))),
        ("2023-Q1", (date(2023, 1, 1), date(2023, 3, 31))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2024-W01", (date(2024, 1, 1), date(2024, 1, 7))),
        ("2024-02-10", (date(2024, 2, 10), date(2024, 2, 10))),
        ("2024-02-10T10:00:00Z", (date(2024, 2, 10), date(2024, 2, 10))),
    ],
)
def test_periods_accept_every_sdmx_form(text, bounds):
    assert period_bounds(text, "startPeriod") == bounds


@pytest.mark.parametrize(
    ("accept", "format_parameter", "expected"),
    [
        (None, None, "genericdata"),
        ("*/*", None, "genericdata"),
        ("application/xml", None, "genericdata"),
        ("application/vnd.sdmx.structurespecificdata+xml;version=2.1", None, "structurespecificdata"),
        ("application/vnd.sdmx.data+csv;version=2.0.0", None, "csvdata-2.0"),
        ("application/vnd.sdmx.data+csv; version=1.0", None, "csvdata-1.0"),
        ("text/csv", None, "csvdata-1.0"),
        ("application/json", None, "jsondata-1.0"),
        ("application/vnd.sdmx.data+json;version=2.0.0, */*;q=0.1", None, "jsondata-2.0"),
        ("text/html", "csvfile", "csvdata-1.0"),
        (None, "sdmx-csv-2.0", "csvdata-2.0"),
    ],
)
def test_data_formats_are_negotiated_by_accept_or_format(accept, format_parameter, expected):
    assert negotiate(Kind.DATA, accept, format_parameter).name == expected
