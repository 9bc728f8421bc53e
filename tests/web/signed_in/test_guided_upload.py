"""The guided upload over HTTP, as a browser without JavaScript goes through it: choose the dataset, upload,
see the first rows as read, fix the mapping with dropdowns (no JSON), get the report, send it on."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

from openpyxl import load_workbook

from tests.web.signed_in.conftest import browser, form_fields, form_sent, form_token, honduras_file, upload

INEC = Path(__file__).resolve().parents[2] / "ingest" / "specimens" / "messy" / "INEC_Panama_EML_Cuadro2_oct2024.xlsx"
INEC_2016 = INEC.with_name("INEC_Panama_EML_Cuadro441-02_ago2016.xls")


def test_the_choice_lists_names_grouped_by_theme_and_only_ones_own_providers(team):
    page = browser(team, "hn.sub").get("/submit").text
    assert "Instituto Nacional de Migración de Honduras" in page
    assert "Servicio Nacional de Migración de Panamá" not in page  # not a provider of this person
    assert "<legend>Tránsitos irregulares</legend>" in page
    assert "Tránsito y entradas irregulares de personas migrantes" in page and 'value="DF_IRREGULAR_TRANSIT"' in page


def test_a_file_goes_from_upload_to_a_loaded_draft_with_dropdowns_only(team):
    """Fails if the editor's constants stop reaching the recipe (UNIT_MEASURE would be missing: an error)."""
    client = browser(team, "hn.only")
    preview = upload(client, "HN_INM", "DF_IRREGULAR_TRANSIT", "irreg_honduras.csv", honduras_file())
    assert preview.status_code == 200
    assert re.search(r'<th scope="row" class="num">2</th><td>2014-01-01</td><td>988</td>', preview.text)
    mapping_link = re.search(r'href="(/submit/file/[0-9a-f]{64}/mapping[^"]*)"', preview.text)
    assert mapping_link
    editor = client.get(mapping_link.group(1).replace("&amp;", "&"))
    action, fields = form_fields(editor.text, "mapping-form")
    assert fields["role:t"] == "TIME_PERIOD" and fields["role:n"] == "OBS_VALUE"
    assert fields["const:REF_AREA"] == "HND" and '<select id="const-UNIT_MEASURE"' in editor.text
    assert 'name="mapping"' not in editor.text  # no JSON box any more
    fields["const:UNIT_MEASURE"] = "PS"  # the fix: a choice in a dropdown (empty for a first file, or as saved)
    checked = client.post(action, data=fields)
    assert checked.status_code == 303
    report = client.get(checked.headers["location"])
    assert "El archivo no tiene errores y se cargó como borrador" in report.text
    assert 'value="submit"' in report.text
    submission = int(re.search(r"/submissions/(\d+)/report", checked.headers["location"]).group(1))
    saved = team.platform.submissions.latest_mapping("HN_INM", "DF_IRREGULAR_TRANSIT")
    assert saved is not None and saved.spec["recipe"] == 1 and saved.spec["constants"]["UNIT_MEASURE"] == "PS"
    sent = client.post(
        f"/submissions/{submission}/transitions", data={"action": "submit", "csrf_token": form_token(report.text)}
    )
    assert sent.status_code == 303


def test_a_messy_workbook_shows_its_sheet_and_header_rows_and_reports_in_plain_language(team):
    client = browser(team, "hn.only", "en")
    preview = upload(client, "HN_INM", "DF_IRREGULAR_TRANSIT", INEC.name, INEC.read_bytes())
    assert '<option value="Cuadro 2" selected>Cuadro 2</option>' in preview.text
    assert "Población de 15 y más años de edad (1) / Agosto 2023 / Total" in preview.text
    one_header_row = client.get(str(preview.url), params={"header_rows": "1", "lang": "en"})
    assert "Agosto 2023 / Total" not in one_header_row.text
    mapping_link = re.search(r'href="(/submit/file/[0-9a-f]{64}/mapping[^"]*)"', preview.text)
    assert mapping_link
    action, fields = form_fields(client.get(mapping_link.group(1).replace("&amp;", "&")).text, "mapping-form")
    report = client.get(client.post(action, data=fields).headers["location"])
    assert "Fix the errors and try again: nothing was loaded." in report.text
    assert "Irregular transit and entries of migrants" in report.text  # names, not DF_IRREGULAR_TRANSIT
    fix = re.search(r'<a [^>]*id="fix-mapping" href="([^"]+)">Fix the columns</a>', report.text)
    assert fix and 'id="mapping-form"' in client.get(fix.group(1).replace("&amp;", "&")).text
    assert "code-not-in-codelist" not in report.text.split("<main", 1)[1].split("CSV")[0]
    assert "A required value is missing" in report.text or "Repeated row" in report.text
    row_link = re.search(r'href="(/submissions/\d+/rows\?row=\d+[^"]*)"', report.text)
    assert row_link and client.get(row_link.group(1).replace("&amp;", "&")).status_code == 200
    xlsx_link = re.search(r'href="(/api/submissions/\d+/report\?format=xlsx[^"]*)"', report.text)
    assert xlsx_link
    workbook = load_workbook(io.BytesIO(client.get(xlsx_link.group(1).replace("&amp;", "&")).content))
    rows = list(workbook["report"].iter_rows(values_only=True))
    assert rows[0] == ("severity", "type", "row", "column", "value", "message") and len(rows) > 1


LABELS = "Área, provincia, comarca indígena y condición en la actividad económica"
CONDITIONS = {
    "INDICATOR": {
        "TOTAL": "POP_15PLUS_LFS",
        "Económicamente activa": "LABOUR_FORCE_LFS",
        "Ocupada": "EMPLOYED_LFS",
        "Desocupada": "UNEMPLOYED_LFS",
        "No económicamente activa": "INACTIVE_LFS",
    }
}


def redraw(client, action: str, data: dict[str, object]) -> tuple[str, dict[str, str], str]:
    """The mapping page redrawn with ``data`` (the "Update" button): its form and its text."""
    page = client.post(action, data={**data, "refresh": "1"})
    assert page.status_code == 200, page.text
    return (*form_fields(page.text, "mapping-form"), page.text)


def test_the_real_inec_workbook_loads_clean_with_rows_kept_by_several_conditions(team):
    """The INEC table has provinces, urban/rural blocks, percentages and the sexes apart: four conditions
    on four columns keep the ten national counts. Fails if any condition stops reaching the recipe (the
    dropped rows would come back as repeated rows or labels without a code)."""
    client = browser(team, "pa.sub")
    preview = upload(client, "PA_INEC", "DF_SOCIOECONOMIC", INEC.name, INEC.read_bytes())
    link = re.search(r'href="(/submit/file/[0-9a-f]{64}/mapping[^"]*)"', preview.text)
    assert link
    action, fields = form_fields(client.get(link.group(1).replace("&amp;", "&")).text, "mapping-form")
    assert "filter_column:0" in fields and "filter_values:0" not in fields  # one blank condition
    fields |= {f"role:{LABELS}": "INDICATOR", "filter_column:0": "_group_1"}
    action, fields, page = redraw(client, action, fields)
    assert '<option value="Bocas del Toro">' in page and "filter_column:1" in fields  # its values, a new blank row
    conditions = {
        "filter_values:0": ["TOTAL"],
        "filter_column:1": "_group_2",
        "filter_op:1": "empty",
        "filter_column:2": "_header_3",
        "filter_values:2": ["Total"],
        "filter_column:3": LABELS,
        "filter_op:3": "in",
        "filter_values:3": list(CONDITIONS["INDICATOR"]),
    }
    action, fields, page = redraw(client, action, {**fields, **conditions})
    assert "Filas que se conservan: 10 de 2,340." in page
    assert "Porcentaje (respecto" not in page.split('id="keep-rows-title"')[0]  # only the kept rows' labels
    values = {f"value:INDICATOR:{label}": code for label, code in CONDITIONS["INDICATOR"].items()}
    checked = client.post(action, data={**fields, **conditions, **values, "const:UNIT_MEASURE": "PS"})
    assert checked.status_code == 303, checked.text
    report = client.get(checked.headers["location"])
    assert "El archivo no tiene errores y se cargó como borrador" in report.text
    assert "Instituto Nacional de Estadística y Censo de Panamá" in report.text
    assert 'id="fix-mapping"' not in report.text
    saved = team.platform.submissions.latest_mapping("PA_INEC", "DF_SOCIOECONOMIC")
    assert saved is not None and saved.spec["filters"] == [
        {"column": "_group_1", "equals": "TOTAL"},
        {"column": "_group_2", "equals": ""},
        {"column": "_header_3", "equals": "Total"},
        {"column": LABELS, "in": list(CONDITIONS["INDICATOR"])},
    ]

    # The next file, August 2016 as a legacy .xls with dot leaders, opens with those choices and loads as is.
    preview = upload(client, "PA_INEC", "DF_SOCIOECONOMIC", INEC_2016.name, INEC_2016.read_bytes())
    link = re.search(r'href="(/submit/file/[0-9a-f]{64}/mapping[^"]*)"', preview.text)
    assert link
    editor = client.get(link.group(1).replace("&amp;", "&")).text
    assert "la última vez para este conjunto de datos (versión" in editor
    action, sent = form_sent(editor, "mapping-form")
    assert sent[f"role:{LABELS}"] == ["INDICATOR"] and sent["const:UNIT_MEASURE"] == ["PS"]
    assert sent["filter_column:3"] == [LABELS] and sorted(sent["filter_values:3"]) == sorted(CONDITIONS["INDICATOR"])
    assert "Filas que se conservan: 10 de 2,340." in editor
    checked = client.post(action, data=sent)
    assert checked.status_code == 303, checked.text
    assert "El archivo no tiene errores" in client.get(checked.headers["location"]).text


def test_an_incomplete_condition_is_named_on_the_page_and_nothing_is_loaded(team):
    client = browser(team, "pa.sub", "en")
    preview = upload(client, "PA_INEC", "DF_SOCIOECONOMIC", INEC.name, INEC.read_bytes())
    link = re.search(r'href="(/submit/file/[0-9a-f]{64}/mapping[^"]*)"', preview.text)
    assert link
    action, fields = form_fields(client.get(link.group(1).replace("&amp;", "&")).text, "mapping-form")
    before = team.platform.submissions.count()
    fields = {name: value for name, value in fields.items() if not name.startswith("filter_")}
    answer = client.post(action, data={**fields, "filter_column:0": "_group_1", "filter_op:0": "not_equals"})
    assert answer.status_code == 200
    assert "An “equals” or “does not equal” condition needs exactly one value: choose one." in answer.text
    assert 'id="filter-0" aria-invalid="true"' in answer.text
    assert team.platform.submissions.count() == before


def test_a_choice_the_file_cannot_satisfy_is_explained_in_the_pages_language(team):
    """A condition on a column the file does not have (a forged form) reaches the recipe, whose error comes
    back from the limited child process and is shown in Spanish on a Spanish page; nothing is recorded.
    Fails if the page shows the English ``message`` instead of ``RecipeError.text(language)``."""
    client = browser(team, "pa.sub")
    preview = upload(client, "PA_INEC", "DF_SOCIOECONOMIC", INEC.name, INEC.read_bytes())
    link = re.search(r'href="(/submit/file/[0-9a-f]{64}/mapping[^"]*)"', preview.text)
    assert link
    action, fields = form_fields(client.get(link.group(1).replace("&amp;", "&")).text, "mapping-form")
    before = team.platform.submissions.count()
    forged = {"filter_column:0": "Columna inexistente", "filter_op:0": "equals", "filter_values:0": ["x"]}
    answer = client.post(action, data={**fields, **forged})
    assert answer.status_code == 200
    assert "'Columna inexistente' no es una columna de la tabla" in html.unescape(answer.text)
    assert team.platform.submissions.count() == before


def test_fixing_the_columns_of_an_invalid_file_reopens_the_choices_that_failed_not_the_saved_recipe(team):
    """Fails if the report's "fix the columns" link opens the provider's saved recipe (the unit would come back
    as PS, hiding what was actually checked), or if another country's person can open the attempt."""
    client = browser(team, "hn.only")
    preview = upload(client, "HN_INM", "DF_IRREGULAR_TRANSIT", "irreg_honduras.csv", honduras_file())
    link = re.search(r'href="(/submit/file/[0-9a-f]{64}/mapping[^"]*)"', preview.text).group(1).replace("&amp;", "&")
    action, fields = form_fields(client.get(link).text, "mapping-form")
    valid = client.post(action, data={**fields, "const:UNIT_MEASURE": "PS"})  # saved as the provider's recipe
    assert "se cargó como borrador" in client.get(valid.headers["location"]).text
    action, fields = form_fields(client.get(link).text, "mapping-form")
    assert fields["const:UNIT_MEASURE"] == "PS"  # the saved recipe, as before
    invalid = client.post(action, data={**fields, "const:UNIT_MEASURE": ""})
    report = client.get(invalid.headers["location"])
    assert "Corrija los errores" in report.text
    submission = re.search(r"/submissions/(\d+)/report", invalid.headers["location"]).group(1)
    fix = re.search(r'<a [^>]*id="fix-mapping" href="([^"]+)">Corregir las columnas</a>', report.text)
    assert fix and f"submission={submission}" in fix.group(1)
    reopened = client.get(fix.group(1).replace("&amp;", "&"))
    assert f"las opciones con que se revisó el envío {submission}" in reopened.text
    _action, fields = form_fields(reopened.text, "mapping-form")
    assert fields["const:UNIT_MEASURE"] == ""  # what was checked, not the saved PS
    assert fields["role:t"] == "TIME_PERIOD" and fields["role:n"] == "OBS_VALUE"
    outsider = browser(team, "pa.sub").get(fix.group(1).replace("&amp;", "&"))
    assert outsider.status_code in (403, 404) and "const:UNIT_MEASURE" not in outsider.text
