"""Downloads hold exactly the table displayed, the selection's observations as a long table, or the whole
dataflow, with units, flags and where the data come from, in CSV, XLSX, SDMX-CSV and a zip with a README;
nothing in them runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from pivgm.cells import safe
from pivgm.structures import load_standard
from pivgm.web.downloads import Sheet, write_csv, write_xlsx
from tests.web.explorer.explorer_helpers import api_observations

VENEZUELANS_2023 = {"CITIZENSHIP": "VEN", "from": "2023-01", "to": "2023-12"}
SAME_IN_THE_API = {
    "FREQ": "M",
    "REF_AREA": "PAN",
    "CITIZENSHIP": "VEN",
    "SEX": "_T",
    "AGE": "_T",
    "ACCOMPANIMENT": "_T",
}


def download(client, dataflow_id: str, **params: str) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(f"/explore/{dataflow_id}/download", params=params)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-disposition"].startswith("attachment;")
    return response.content


def csv_rows(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    lines = content.decode("utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    return comments, list(csv.DictReader(line for line in lines if not line.startswith("#")))


def test_csv_of_the_view_has_the_api_numbers_units_flags_and_a_source_header(client):
    comments, rows = csv_rows(
        download(client, "DF_IRREGULAR_TRANSIT", format="csv", scope="long", lang="en", **VENEZUELANS_2023)
    )
    api = api_observations(client, "DF_IRREGULAR_TRANSIT", {**SAME_IN_THE_API, "from": "2023-01", "to": "2023-12"})
    assert [float(r["OBS_VALUE"]) for r in rows] == [o["OBS_VALUE"] for o in api]
    assert [r["TIME_PERIOD"] for r in rows] == [o["TIME_PERIOD"] for o in api]
    assert rows[0]["CITIZENSHIP_NAME"] == "Venezuela" and rows[0]["UNIT_MEASURE_NAME"] == "Persons"
    assert rows[0]["OBS_STATUS"] == "A" and rows[0]["UNIT_MULT"] == "0"
    header = "\n".join(comments)
    assert "# Source: National Migration Service of Panama" in header
    assert "# Licence:" in header and "# Release:" in header
    assert "Citizenship: VEN (Venezuela)" in header


ADDED_UP = {"REF_AREA": "PAN", "CITIZENSHIP": "*", "sum": "CITIZENSHIP", "from": "2024-01", "to": "2024-03"}


def key_of(row: dict[str, str]) -> tuple[str, str, float]:
    return row["CITIZENSHIP"], row["TIME_PERIOD"], float(row["OBS_VALUE"])


def test_the_long_table_is_the_api_link_it_names_even_when_the_screen_adds_codes_up(client):
    """The long table's CSV, XLSX and SDMX-CSV hold the observations the API gives for the link written in
    the file, one per citizenship, not the sums on screen (seen red: CSV and XLSX held the sums)."""
    comments, rows = csv_rows(
        download(client, "DF_IRREGULAR_TRANSIT", format="csv", scope="long", lang="en", **ADDED_UP)
    )
    link = next(c for c in comments if c.startswith("# The same selection in the API: ")).split(": ", 1)[1]
    assert "from=2024-01" in link and "CITIZENSHIP" not in link
    api = client.get(link + "&format=csv")
    assert api.status_code == 200, api.text
    expected = sorted(key_of(r) for r in csv.DictReader(io.StringIO(api.text)))
    assert len({citizenship for citizenship, _, _ in expected}) > 3  # one row per citizenship
    assert sorted(key_of(r) for r in rows) == expected
    sdmx = download(client, "DF_IRREGULAR_TRANSIT", format="sdmx-csv", scope="long", **ADDED_UP).decode()
    assert sorted(key_of(r) for r in csv.DictReader(io.StringIO(sdmx))) == expected
    workbook = load_workbook(
        io.BytesIO(download(client, "DF_IRREGULAR_TRANSIT", format="xlsx", scope="long", **ADDED_UP))
    )
    sheet = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(sheet) - 1 == len(expected) and "CITIZENSHIP" in sheet[0]
    assert not any(c.startswith("# Dimensions added up") for c in comments)


def test_the_api_takes_a_star_for_every_code_as_the_explorer_writes_it(client):
    """`CITIZENSHIP=*` is the explorer's every code; the API reads it the same (seen red: a 404, "Code '*' is
    not in CL_AREA")."""
    params = {"REF_AREA": "PAN", "from": "2024-01", "to": "2024-03"}
    every = client.get("/api/data/DF_IRREGULAR_TRANSIT", params=params).json()
    star = client.get("/api/data/DF_IRREGULAR_TRANSIT", params={**params, "CITIZENSHIP": "*"})
    assert star.status_code == 200, star.text
    assert star.json()["observations"] == every["observations"] and every["total"] > 0
    unknown = client.get("/api/data/DF_IRREGULAR_TRANSIT", params={**params, "NOT_A_DIMENSION": "*"})
    assert unknown.status_code == 422 and "NOT_A_DIMENSION" in unknown.json()["error"]["message"]


def test_sdmx_csv_of_the_table_on_screen_is_refused_with_the_scopes_it_offers(client):
    """SDMX-CSV holds observations; scope=view does not quietly give the long table (seen red: the same file)."""
    response = client.get("/explore/DF_IRREGULAR_TRANSIT/download", params={**ADDED_UP, "format": "sdmx-csv"})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "scope=long" in message and "scope=full" in message and "format=csv" in message


def test_xlsx_has_a_data_sheet_and_a_metadata_sheet(client):
    workbook = load_workbook(
        io.BytesIO(download(client, "DF_IRREGULAR_TRANSIT", format="xlsx", scope="long", lang="es", **VENEZUELANS_2023))
    )
    data, metadata = workbook.worksheets
    rows = list(data.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("FREQ", "FREQ_NAME", "REF_AREA", "REF_AREA_NAME")
    values = [row[header.index("OBS_VALUE")] for row in rows[1:]]
    assert len(values) == 12 and values[0] == 2337 and not isinstance(values[0], str)
    about = dict(metadata.iter_rows(values_only=True))
    assert about["Fuente"].startswith("Servicio Nacional de Migración de Panamá")
    assert "Comparabilidad" in about and "Licencia" in about


def test_sdmx_csv_names_the_dataflow_on_every_row(client):
    text = download(client, "DF_IRREGULAR_TRANSIT", format="sdmx-csv", scope="long", **VENEZUELANS_2023).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:3] == ["DATAFLOW", "FREQ", "REF_AREA"]
    assert {r["DATAFLOW"] for r in rows} == {"PIVGM:DF_IRREGULAR_TRANSIT(1.0)"}
    assert [float(r["OBS_VALUE"]) for r in rows][:2] == [2337, 7097]


def test_the_zip_holds_the_data_and_a_metadata_readme(client):
    archive = zipfile.ZipFile(io.BytesIO(download(client, "DF_MIG_STOCK", format="zip", scope="long", lang="en")))
    names = archive.namelist()
    assert names[0] == "README.md" and {"DF_MIG_STOCK.csv", "DF_MIG_STOCK.xlsx", "DF_MIG_STOCK.sdmx.csv"} <= set(names)
    readme = archive.read("README.md").decode()
    assert readme.startswith("# International migrant stock") and "CC BY 3.0 IGO" in readme


def test_the_full_dataflow_has_every_published_observation(client):
    _, rows = csv_rows(download(client, "DF_POPULATION", format="csv", scope="full"))
    release = client.get("/api/dataflows/DF_POPULATION").json()["release"]
    assert len(rows) == release["observations"]
    assert {r["REF_AREA"] for r in rows} > {"MEX", "GTM", "BRB"}


def test_counts_are_written_without_a_decimal_point_like_sdmx_csv(client):
    """A count is 2337 in every CSV (the explorer's long table and full file, the JSON API's CSV), as in
    SDMX-CSV, not 2337.0 (seen red before the CSV writers formatted whole numbers)."""
    sdmx = download(client, "DF_IRREGULAR_TRANSIT", format="sdmx-csv", scope="long", **VENEZUELANS_2023).decode()
    expected = [r["OBS_VALUE"] for r in csv.DictReader(io.StringIO(sdmx))]
    assert expected[:2] == ["2337", "7097"]
    _, long = csv_rows(download(client, "DF_IRREGULAR_TRANSIT", format="csv", scope="long", **VENEZUELANS_2023))
    assert [r["OBS_VALUE"] for r in long] == expected
    api = client.get("/api/data/DF_IRREGULAR_TRANSIT", params={**SAME_IN_THE_API, "format": "csv"})
    assert api.status_code == 200
    values = [r["OBS_VALUE"] for r in csv.DictReader(io.StringIO(api.text))]
    assert values and not [v for v in values if v.endswith(".0")]
    _, full = csv_rows(download(client, "DF_IRREGULAR_TRANSIT", format="csv", scope="full"))
    assert full and not [r["OBS_VALUE"] for r in full if r["OBS_VALUE"].endswith(".0")]


def test_the_full_dataflow_as_xlsx_has_every_observation_with_figures_as_grouped_numbers(client):
    """The streamed workbook: every published observation, names beside codes, counts as numbers shown
    12,452 (and the metadata sheet)."""
    content = download(client, "DF_POPULATION", format="xlsx", scope="full", lang="en")
    workbook = load_workbook(io.BytesIO(content))
    data, metadata = workbook.worksheets
    rows = list(data.iter_rows(values_only=True))
    release = client.get("/api/dataflows/DF_POPULATION").json()["release"]
    assert len(rows) - 1 == release["observations"]
    header = rows[0]
    assert header[2:4] == ("REF_AREA", "REF_AREA_NAME")
    mexico = next(row for row in rows[1:] if row[2] == "MEX")
    assert mexico[3] == "Mexico"
    value = data.cell(row=rows.index(mexico) + 1, column=header.index("OBS_VALUE") + 1)
    assert isinstance(value.value, int | float) and value.number_format == "#,##0"
    assert dict(metadata.iter_rows(values_only=True))["Licence"]


@pytest.mark.parametrize(("params", "words"), [({"format": "pdf"}, "Format 'pdf'"), ({"scope": "all"}, "Scope 'all'")])
def test_an_unknown_format_or_scope_is_a_clear_error(client, params, words):
    response = client.get("/explore/DF_POPULATION/download", params=params)
    assert response.status_code == 422
    assert words in response.json()["error"]["message"]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_text_that_a_spreadsheet_would_run_is_neutralised(text):
    assert safe(text) == "'" + text
    table = Sheet(["OBS_COMMENT", "OBS_VALUE"], [[text, -5.0]], [("Source", text)], "T")
    comment, data = write_csv(table).decode().split("\r\n", 1)
    assert comment == f"# Source: {' '.join(text.split())}"
    assert list(csv.reader(io.StringIO(data, newline="")))[1] == ["'" + text, "-5"]  # numbers stay numbers
    workbook = load_workbook(io.BytesIO(write_xlsx(table)))
    cell, number = next(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert cell == "'" + text and number == -5.0
    assert next(workbook.worksheets[1].iter_rows(values_only=True))[1] == "'" + text


def test_the_licence_is_written_in_the_page_language(client, get_page):
    """Every dataflow's licence has a Spanish and an English text; pages and downloads use the page's
    (seen red with the English text served to Spanish pages)."""
    for dataflow in load_standard().dataflows.values():
        assert dataflow.metadata.licence.missing_languages() == [], dataflow.id
    spanish = get_page("/explore/DF_MISSING_MIGRANTS", lang="es").split('id="context-title"')[1]
    english = get_page("/explore/DF_MISSING_MIGRANTS", lang="en").split('id="context-title"')[1]
    assert "CC BY 4.0 (atribución: Proyecto Migrantes Desaparecidos de la OIM)" in spanish
    assert "attribution" not in spanish and "CC BY 4.0 (attribution: IOM Missing Migrants Project)" in english
    comments, _ = csv_rows(download(client, "DF_MISSING_MIGRANTS", format="csv", lang="es"))
    assert "# Licencia: CC BY 4.0 (atribución: Proyecto Migrantes Desaparecidos de la OIM)" in comments
