"""Upload over HTTP: a report in JSON, CSV and HTML; clear 4xx errors for bad uploads, never a 500."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from pivgm.accounts.actor import Role
from pivgm.platform import Platform
from pivgm.web.app import create_app
from tests.backends import settings_for
from tests.people import person

MAPPING = {
    "columns": {"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
    "constants": {
        "FREQ": "M",
        "REF_AREA": "MEX",
        "SEX": "_T",
        "AGE": "_T",
        "ACCOMPANIMENT": "_T",
        "UNIT_MEASURE": "EVENTS",
    },
}
GOOD = b"Nacionalidad;Mes;Eventos\nVEN;2024-01;1.200\nHND;2024-01;850\n"
BAD = b"Nacionalidad;Mes;Eventos\nVEN;2024-01;mil\nXXQ;2024-13;5\n"


@pytest.fixture
def upload_client(tmp_path):
    platform = Platform.initialise(settings_for(tmp_path / "data", max_upload_mb=0.01))
    submitter = person(platform, "mx.submitter", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        client.headers.update(submitter.headers)
        client.platform = platform
        yield client


def test_uploads_need_an_account(upload_client):
    response = upload_client.post(
        "/api/submissions",
        headers={"Authorization": ""},
        data={"dataflow": "DF_IRREGULAR_TRANSIT", "provider": "MX_UPM"},
        files={"file": ("a.csv", GOOD, "text/csv")},
    )
    assert response.status_code == 401


def test_a_submitter_cannot_upload_for_another_country_and_the_attempt_is_audited(upload_client):
    response = post(upload_client, GOOD, provider="GT_IGM")
    assert response.status_code == 403
    assert "GT_IGM" in response.json()["error"]["message"]
    assert upload_client.platform.submissions.count() == 0


def post(client, content: bytes, name: str = "eventos.csv", **fields):
    data = {
        "dataflow": "DF_IRREGULAR_TRANSIT",
        "provider": "MX_UPM",
        "mapping": json.dumps(MAPPING),
        **fields,
    }
    return client.post("/api/submissions", data=data, files={"file": (name, content, "text/csv")})


def test_a_valid_upload_is_loaded_and_reported(upload_client):
    response = post(upload_client, GOOD)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft" and body["version"] is not None
    assert body["report"]["valid"] is True
    again = upload_client.get(f"/api/submissions/{body['id']}").json()
    assert again["report"] == body["report"]


def test_a_bad_upload_returns_its_report_with_rows_and_columns(upload_client):
    body = post(upload_client, BAD).json()
    assert body["status"] == "invalid" and body["version"] is None
    rows = {(i["row"], i["column"], i["type"]) for i in body["report"]["issues"]}
    assert (2, "Eventos", "invalid-number") in rows
    assert (3, "Nacionalidad", "code-not-in-codelist") in rows
    assert (3, "Mes", "invalid-period") in rows


def test_the_report_downloads_as_csv_in_the_chosen_language(upload_client):
    submission = post(upload_client, BAD).json()["id"]
    english = upload_client.get(f"/api/submissions/{submission}/report", params={"format": "csv", "lang": "en"})
    assert english.headers["content-type"].startswith("text/csv")
    assert "is not a number" in english.text
    spanish = upload_client.get(f"/api/submissions/{submission}/report", params={"format": "csv", "lang": "es"})
    assert "no es un número" in spanish.text


def test_the_report_page_lists_issues_in_spanish(upload_client):
    submission = post(upload_client, BAD).json()["id"]
    page = upload_client.get(f"/submissions/{submission}/report", params={"lang": "es"})
    assert page.status_code == 200
    assert "invalid-number" in page.text and "no es un número" in page.text


def test_validate_only_loads_nothing(upload_client):
    body = post(upload_client, GOOD, load="false").json()
    assert body["status"] == "validated" and body["version"] is None


def test_an_upload_over_the_size_limit_is_413_with_a_message(upload_client):
    response = post(upload_client, GOOD * 1000)
    assert response.status_code == 413
    assert "limit" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("fields", "status", "fragment"),
    [
        ({"dataflow": "DF_NOPE"}, 404, "DF_NOPE"),
        ({"provider": "XX_NOPE"}, 404, "XX_NOPE"),
        ({"mapping": "{not json"}, 422, "mapping"),
    ],
)
def test_bad_parameters_are_clear_client_errors(upload_client, fields, status, fragment):
    response = post(upload_client, GOOD, **fields)
    assert response.status_code == status
    assert fragment in response.json()["error"]["message"]


def test_an_upload_without_a_file_is_422(upload_client):
    response = upload_client.post("/api/submissions", data={"dataflow": "DF_IRREGULAR_TRANSIT", "provider": "MX_UPM"})
    assert response.status_code == 422


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02garbage\xff\xfe", b"PK\x03\x04broken zip"])
def test_unreadable_files_get_a_report_not_a_crash(upload_client, content):
    response = post(upload_client, content, name="datos.xlsx" if content.startswith(b"PK") else "datos.csv")
    assert response.status_code == 201
    body = response.json()
    assert body["report"]["valid"] is False
    assert body["report"]["issues"][0]["type"] == "unreadable-file"


def test_an_unknown_submission_is_404(upload_client):
    assert upload_client.get("/api/submissions/999").status_code == 404


def workbook_bomb(megabytes: int) -> bytes:
    """An .xlsx-shaped zip of a few kB whose worksheet expands to ``megabytes`` of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(bytes(1024 * 1024))
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def test_a_workbook_that_would_expand_too_much_is_413_and_nothing_is_recorded(upload_client):
    bomb = workbook_bomb(5)
    assert len(bomb) < 10_000  # under the upload size cap: only the expansion gives it away
    response = post(upload_client, bomb, name="datos.xlsx")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "expands-too-much"
    assert "datos.xlsx: the file expands to 5 MB" in error["message"]
    assert upload_client.platform.submissions.count() == 0


def test_a_file_over_the_row_cap_is_413_with_the_cap_in_the_message(tmp_path):
    platform = Platform.initialise(settings_for(tmp_path / "data", max_submission_rows=1))
    submitter = person(platform, "mx.submitter", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        client.headers.update(submitter.headers)
        response = post(client, GOOD)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too-many-rows" and "1" in error["message"]
    assert platform.submissions.count() == 0


def test_a_file_over_the_column_cap_is_413_with_the_cap_in_the_message(tmp_path):
    """Fails if the column cap (``check_columns`` in the readers) is removed."""
    platform = Platform.initialise(settings_for(tmp_path / "data", max_submission_columns=3))
    submitter = person(platform, "mx.submitter", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    wide = b"Nacionalidad;Mes;Eventos;Nota\nVEN;2024-01;1.200;x\n"
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        client.headers.update(submitter.headers)
        response = post(client, wide)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too-many-columns"
    assert "4 columns, more than the 3" in error["message"]
    assert platform.submissions.count() == 0


def test_a_million_column_header_is_refused_for_its_columns_within_seconds_of_processor_time(tmp_path):
    """The probe's 10 MB file of 10^6 columns kept a worker busy for minutes. Under a 3-second CPU limit it is
    refused for its width, not stopped at the limit: fails if the width is checked only after per-cell work
    (``check_widths`` in the CSV readers), which needs about 30 s of processor time for this file."""
    platform = Platform.initialise(settings_for(tmp_path / "data", upload_cpu_seconds=3))
    submitter = person(platform, "mx.submitter", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    wide = ";".join(f"c{i}" for i in range(10**6)) + "\n" + ";".join("1" * 10**6) + "\n"
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        client.headers.update(submitter.headers)
        response = post(client, wide.encode(), name="ancho.csv")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too-many-columns", error
    assert "1,000,000 columns, more than the 1,000" in error["message"]
    assert platform.submissions.count() == 0


def test_an_upload_over_the_memory_limit_is_stopped_with_a_clear_413_and_nothing_recorded(tmp_path):
    """The file is checked in a child process whose resident memory is watched; fails if the watch in
    ``jobs._listen`` is removed (the job then finishes and is recorded)."""
    platform = Platform.initialise(settings_for(tmp_path / "data", upload_memory_mb=60))
    submitter = person(platform, "mx.submitter", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        client.headers.update(submitter.headers)
        response = post(client, GOOD)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "processing-limit"
    assert "eventos.csv: checking and loading the file needed more than 60 MB of memory" in error["message"]
    assert "stopped before anything was recorded" in error["message"]
    assert platform.submissions.count() == 0
