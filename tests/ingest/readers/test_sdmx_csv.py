"""SDMX-CSV 1.0 and 2.0: the specification's examples, a national file with every action, and errors."""

from __future__ import annotations

import pytest

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers import ReadOptions, read_file

COMPONENTS = ["DIM_1", "DIM_2", "DIM_3", "OBS_VALUE"]


def test_version_2_ordinary_case(specimen):
    raw = read_file(specimen("sdmx_csv_2_0/example-01.csv"))
    assert raw.format == "sdmx-csv-2"
    assert raw.structure == "NA_MAIN"
    assert raw.detected["structure_ref"] == "ESTAT:NA_MAIN(1.6.0)"
    assert raw.detected["structure_type"] == "dataflow"
    assert raw.columns == [*COMPONENTS, "ATTR_2", "ATTR_3", "ATTR_1", "UPDATED"]
    assert raw.column("ATTR_3") == ["Normal, special and other values"] * 2
    assert raw.actions is not None and raw.actions.to_pylist() == ["I", "I"]
    assert raw.source_rows == [2, 3]


def test_labels_both_reduce_id_colon_name_to_the_id_and_the_declared_separator_sets_the_delimiter(specimen):
    raw = read_file(specimen("sdmx_csv_2_0/example-04.csv"))
    assert raw.detected["delimiter"] == ";"
    assert raw.detected["subfield_separator"] == "|"
    assert raw.detected["decimal"] == ","
    assert raw.columns == [*COMPONENTS, "ATTR_2", "ATTR_3", "ATTR_1"]  # SERIES_KEY and OBS_KEY dropped
    assert raw.column("DIM_1") == ["A", "A"]
    assert raw.column("DIM_3") == ["2014-01", "2014-02"]
    assert raw.column("ATTR_2") == ["Y", "Y"]
    assert raw.column("OBS_VALUE") == ["12,4", "10,8"]
    assert raw.structure == "NA_MAIN"


def test_labels_name_drops_the_name_column_after_each_component(specimen):
    raw = read_file(specimen("sdmx_csv_2_0/example-06.csv"))
    assert raw.columns == [*COMPONENTS, "ATTR_1", "ATTR_2", "ATTR_3"]
    assert raw.column("ATTR_1") == ["Y", "Y"] and raw.column("ATTR_3") == ["N", "Y"]


def test_multi_valued_columns_keep_their_values_and_multilingual_ones_split_by_language(specimen):
    raw = read_file(specimen("sdmx_csv_2_0/example-07.csv"))
    assert raw.column("ATTR_3") == ["A;B;C", "A;C"]
    lingual = read_file(specimen("sdmx_csv_2_0/example-08.csv"))
    assert lingual.column("ATTR_1[fr]") == ["N'importe quelle Valeur", 'Valeur "X"']
    assert lingual.column("ATTR_1") == ["Any Value", 'Value "X"']  # Spanish, else English, else first
    assert lingual.detected["structure_ref"] == "ESTAT:NA_MAIN(1.6.0), ESTAT:NA_MAIN(1.7.0)"


@pytest.mark.parametrize("name", ["sdmx_csv_2_0/example-09A.csv", "sdmx_csv_2_0/example-09B.csv"])
def test_a_file_for_several_structures_is_refused(specimen, name):
    with pytest.raises(SourceFormatError, match=r"holds data for 3 structures.*one dataflow per file"):
        read_file(specimen(name))


def test_append_is_merge_and_replace_stays(specimen):
    raw = read_file(specimen("sdmx_csv_2_0/example-10.csv"))
    assert raw.actions is not None and raw.actions.to_pylist() == ["M", "R"]


def test_a_national_file_with_every_action_semicolons_and_a_blank_line(specimen):
    raw = read_file(specimen("sdmx_csv_2_0/actions-semicolon.csv"))
    assert raw.structure == "DF_IRREGULAR_TRANSIT"
    assert raw.actions is not None and raw.actions.to_pylist() == ["I", "M", "R", "D", "I"]
    assert raw.source_rows == [2, 3, 4, 6, 7]
    assert raw.column("CITIZENSHIP") == ["VEN", "HTI", "ECU", "COL", "CUB"]
    assert raw.column("SEX")[3] is None  # an empty cell is an absent value: a deletion with a wildcard
    assert raw.detected["decimal"] == ","


def test_version_1_with_labels(specimen):
    raw = read_file(specimen("sdmx_csv_1_0/dataflow-labels.csv"))
    assert raw.format == "sdmx-csv-1"
    assert raw.structure == "DF_IRREGULAR_TRANSIT"
    assert raw.actions is None
    assert raw.column("FREQ") == ["M", "M"]
    assert raw.column("REF_AREA") == ["PAN", "PAN"]
    assert raw.columns[0] == "FREQ"


def test_an_unknown_action_names_row_and_column(specimen):
    with pytest.raises(SourceFormatError, match=r"row 3, column 'ACTION': action 'X' is not one of"):
        read_file(specimen("with-problems/sdmx-csv-bad-action.csv"))


def test_a_dataflow_without_agency_is_refused_with_the_form_to_use(specimen):
    with pytest.raises(SourceFormatError, match=r"row 2, column 'DATAFLOW'.*AGENCY:ID\(VERSION\)"):
        read_file(specimen("with-problems/sdmx-csv-bad-reference.csv"))


def test_a_row_longer_than_the_header_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("STRUCTURE,STRUCTURE_ID,OBS_VALUE\ndataflow,A:B(1.0),1\ndataflow,A:B(1.0),2,3\n")
    with pytest.raises(SourceFormatError, match="row 3: the row has 4 fields but the header has 3"):
        read_file(path)


def test_the_row_cap(specimen):
    with pytest.raises(SourceFormatError, match="more than 4 data rows"):
        read_file(specimen("sdmx_csv_2_0/actions-semicolon.csv"), ReadOptions(max_rows=4))
