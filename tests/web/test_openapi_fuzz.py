"""Schemathesis over the OpenAPI document, against a live server, anonymous and with an API token: no
generated request (valid or not) gets a server error. Bounded in time by a fixed number of examples per
operation, so it runs in CI on every change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pivgm.accounts.actor import Role
from pivgm.ingest.mapping import Mapping
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.people import ADMIN, person
from tests.sdmx.live import live_server

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

pytestmark = pytest.mark.slow
FLOW = "DF_IRREGULAR_TRANSIT"
EXAMPLES = 15  # per operation and caller: keeps the whole run around a minute on two cores


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    platform = new_platform(tmp_path_factory.mktemp("fuzz"))
    token = person(platform, "fuzz.admin", (Role.ADMINISTRATOR, None)).token
    mapping = Mapping(
        columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
        constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "EVENTS"}
        | {"REF_AREA": "MEX"},
    )
    text = b"Nacionalidad;Mes;Eventos\nVEN;2024-01;12\nCOL;2024-02;7\n"
    submission = submit(platform, SubmissionRequest("MX_UPM", FLOW, "mx.csv", text, mapping)).submission.id
    for action in ["submit", "approve-national", "approve-regional", "publish"]:
        take_step(platform, ADMIN, submission, action, "", None)
    with live_server(platform) as sdmx_url:
        yield sdmx_url.removesuffix("/sdmx/rest"), token


@pytest.mark.parametrize("caller", ["anonymous", "token"])
def test_no_generated_request_gets_a_server_error(served, caller):
    """Fails if any operation answers 5xx. Random search rarely reaches the exact crashing inputs the probe
    found (offsets of 2^63 and more, NUL bytes, far time zones): tests/web/test_malformed_input.py pins
    those; this test guards everything else the schema allows."""
    base, token = served
    headers = {"Authorization": f"Bearer {token}"} if caller == "token" else {}
    schema = schemathesis.openapi.from_url(f"{base}/api/openapi.json")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/tokens/{token_id}" and caller == "token":
            continue  # a token could revoke itself and end the run

        @given(operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case):
            if "dataflow_id" in (case.path_parameters or {}):
                case.path_parameters["dataflow_id"] = FLOW  # a dataflow with data: parameters reach the query
            response = case.call(base_url=base, headers=headers, timeout=30)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, response.text[:200]))

        run()
    assert failures == []
