"""SDMX-ML 2.1 data messages, checked against sdmx1 as an independent reader."""

from __future__ import annotations

import pytest
import sdmx

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers import ReadOptions, read_file


def observations(raw, dimensions: list[str]) -> dict[tuple[str, ...], float]:
    return {tuple(row[d] for d in dimensions): float(row["OBS_VALUE"]) for row in raw.table.to_pylist()}


def sdmx1_observations(message, dimensions: list[str]) -> dict[tuple[str, ...], float]:
    series = sdmx.to_pandas(message.data[0])
    frame = series.reset_index()
    return {tuple(str(r[d]) for d in dimensions): float(r["value"]) for _, r in frame.iterrows()}


KEY = ["FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_VAR", "TIME_PERIOD"]


@pytest.mark.parametrize("name", ["ng-ts.xml", "ng-xs.xml", "ng-flat.xml"])
def test_generic_messages_give_the_observations_sdmx1_gives(specimen, name):
    path = specimen(f"sdmx_ml/{name}")
    raw = read_file(path)
    assert raw.format == "sdmx-ml" and raw.structure == "ECB_EXR_NG"
    assert observations(raw, KEY) == sdmx1_observations(sdmx.read_sdmx(path), KEY)


@pytest.mark.parametrize("name", ["ng-ts-ss.xml", "ng-xs-ss.xml", "ng-flat-ss.xml"])
def test_structure_specific_messages_give_the_observations_sdmx1_gives(specimen, name):
    structure = sdmx.read_sdmx(specimen("sdmx_ml/ng-structure-full.xml")).structure["ECB_EXR_NG"]
    path = specimen(f"sdmx_ml/{name}")
    raw = read_file(path)
    assert observations(raw, KEY) == sdmx1_observations(sdmx.read_sdmx(path, structure=structure), KEY)


def test_series_and_observation_attributes_are_columns(specimen):
    raw = read_file(specimen("sdmx_ml/ng-ts.xml"))
    first = raw.table.slice(0, 1).to_pylist()[0]
    assert first["TITLE"] == "ECB reference exchange rate, Swiss franc/Euro"
    assert first["OBS_STATUS"] == "A" and first["UNIT_MULT"] == "0"
    assert raw.source_rows[0] == 30  # the line of the first <generic:Obs>


@pytest.mark.parametrize("name", ["sg-ts-gf-ss.xml", "sg-ts-gf.xml"])
def test_group_attributes_reach_the_observations_of_their_group(specimen, name):
    raw = read_file(specimen(f"sdmx_ml/{name}"))
    titles = {row["CURRENCY"]: row["TITLE"] for row in raw.table.to_pylist()}
    assert titles["JPY"] == "ECB reference exchange rate, Japanese yen/Euro"
    assert len(titles) == 4


def test_the_data_set_action_is_given_for_every_observation(specimen):
    replace = read_file(specimen("sdmx_ml/ecb-usd-replace.xml"))
    assert replace.structure == "ECB_EXR1"  # from the header's URN
    assert set(replace.actions.to_pylist()) == {"R"} and replace.table.num_rows == 252
    delete = read_file(specimen("sdmx_ml/delete-ss.xml"))
    assert delete.actions.to_pylist() == ["D"]
    assert delete.structure == "DF_IRREGULAR_TRANSIT"
    assert delete.column("CITIZENSHIP") == ["VEN"]


def test_xml_that_is_not_sdmx_data_is_refused(specimen):
    with pytest.raises(SourceFormatError, match=r"not an SDMX-ML 2\.1 data message.*'root'"):
        read_file(specimen("with-problems/not-sdmx.xml"))
    with pytest.raises(SourceFormatError, match="'Structure'"):
        read_file(specimen("sdmx_ml/ng-structure-full.xml"))


def test_broken_xml_names_its_line(specimen):
    with pytest.raises(SourceFormatError, match=r"truncated\.xml, row 5: the XML is not well formed"):
        read_file(specimen("with-problems/truncated.xml"))


def test_a_document_type_declaration_is_refused_so_no_entity_can_expand(tmp_path):
    path = tmp_path / "laughs.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        '<message:StructureSpecificData xmlns:message="urn:x"><message:DataSet>'
        '<Obs TIME_PERIOD="&b;" OBS_VALUE="1"/></message:DataSet></message:StructureSpecificData>'
    )
    with pytest.raises(SourceFormatError, match="declares a document type"):
        read_file(path)


def test_the_row_cap(specimen):
    with pytest.raises(SourceFormatError, match="more than 100 data rows"):
        read_file(specimen("sdmx_ml/ecb-usd-replace.xml"), ReadOptions(max_rows=100))
