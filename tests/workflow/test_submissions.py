"""Submissions load atomically, keep their original file, reuse mappings and keep history."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import textwrap

import pyarrow.parquet as pq
import pytest

from pivgm.catalog import Catalog, DataSelection
from pivgm.catalog.published import PublishedData
from pivgm.errors import NotFoundError
from pivgm.ingest.mapping import Mapping
from pivgm.platform import Platform
from pivgm.workflow.overrides import publish
from pivgm.workflow.submissions import FileTooLargeError, SubmissionRequest, submit
from tests.backends import environment_for, settings_for
from tests.people import ADMIN

MAPPING = Mapping(
    columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
    constants={
        "FREQ": "M",
        "REF_AREA": "MEX",
        "SEX": "_T",
        "AGE": "_T",
        "ACCOMPANIMENT": "_T",
        "UNIT_MEASURE": "EVENTS",
    },
)
FILE = "Nacionalidad;Mes;Eventos\nVEN;2024-01;1.200\nHND;2024-01;850\nGTM;2024-01;640\n"


def request(
    text: str = FILE, mapping: Mapping | None = MAPPING, name: str = "eventos.csv", **kwargs
) -> SubmissionRequest:
    return SubmissionRequest(
        provider_id=kwargs.pop("provider", "MX_UPM"),
        dataflow_id="DF_IRREGULAR_TRANSIT",
        file_name=name,
        content=text.encode(kwargs.pop("encoding", "utf-8")),
        mapping=mapping,
        **kwargs,
    )


def provider_rows(platform: Platform, version_id: int) -> dict[str, float]:
    version = platform.records.version(version_id)
    table = pq.read_table(platform.warehouse.path(version.parquet_file))
    return {
        f"{c}.{t}": v
        for c, t, v in zip(
            *(table.column(n).to_pylist() for n in ("CITIZENSHIP", "TIME_PERIOD", "OBS_VALUE")), strict=True
        )
    }


def test_a_valid_file_is_archived_loaded_and_its_mapping_saved(empty_platform):
    outcome = submit(empty_platform, request())
    assert outcome.report.valid
    assert outcome.version is not None and outcome.version.row_count == 3
    sha = hashlib.sha256(FILE.encode()).hexdigest()
    assert outcome.submission.file_sha256 == sha
    archived = empty_platform.warehouse.path(f"archive/{sha}.csv")
    assert archived.read_bytes() == FILE.encode()
    assert provider_rows(empty_platform, outcome.version.id)["VEN.2024-01"] == 1200
    saved = empty_platform.submissions.latest_mapping("MX_UPM", "DF_IRREGULAR_TRANSIT")
    assert saved is not None and saved.spec["columns"]["CITIZENSHIP"] == "Nacionalidad"


def test_a_later_upload_reuses_the_saved_mapping(empty_platform):
    submit(empty_platform, request())
    later = submit(empty_platform, request("Nacionalidad;Mes;Eventos\nVEN;2024-02;1.300\n", mapping=None))
    assert later.report.valid, later.report.to_dict()
    assert later.version is not None


def test_a_file_with_errors_loads_nothing_but_is_kept_with_its_report(empty_platform):
    outcome = submit(empty_platform, request("Nacionalidad;Mes;Eventos\nVEN;2024-01;mil\n"))
    assert not outcome.report.valid
    assert outcome.version is None
    assert empty_platform.records.versions("DF_IRREGULAR_TRANSIT") == []
    stored = empty_platform.submissions.get(outcome.submission.id)
    assert stored.status == "invalid" and stored.report["errors"] == 1


def test_submitting_the_same_file_again_is_recognised(empty_platform):
    first = submit(empty_platform, request())
    again = submit(empty_platform, request())
    assert again.duplicate_of == first.submission.id
    (note,) = [note for note in again.report.notes if "already loaded" in note]
    assert note.text("es").startswith("El mismo archivo ya se cargó con el envío")


def test_a_new_upload_merges_with_the_providers_data_and_keeps_the_old_version(empty_platform):
    first = submit(empty_platform, request())
    second = submit(empty_platform, request("Nacionalidad;Mes;Eventos\nVEN;2024-01;1.250\nCUB;2024-02;300\n"))
    rows = provider_rows(empty_platform, second.version.id)
    assert rows == {"VEN.2024-01": 1250, "HND.2024-01": 850, "GTM.2024-01": 640, "CUB.2024-02": 300}
    assert provider_rows(empty_platform, first.version.id)["VEN.2024-01"] == 1200


def test_a_revision_of_published_values_is_flagged_with_old_and_new_values(empty_platform):
    first = submit(empty_platform, request())
    publish(empty_platform, ADMIN, first.version.id, "published by the test")
    revised = submit(empty_platform, request("Nacionalidad;Mes;Eventos\nVEN;2024-01;1.250\n"))
    issue = revised.report.rules["revises-published-value"].issues[0]
    assert "1200" in issue.message_en and "1250" in issue.message_en
    assert revised.report.valid


def test_revising_many_published_values_counts_them_all_and_shows_the_first_rows_of_the_file(empty_platform):
    months = [f"{2010 + i // 12}-{i % 12 + 1:02d}" for i in range(150)]
    first = submit(empty_platform, request("Nacionalidad;Mes;Eventos\n" + "".join(f"VEN;{m};1\n" for m in months)))
    publish(empty_platform, ADMIN, first.version.id, "published by the test")
    revised = "".join(f"VEN;{m};{i + 2}\n" for i, m in reversed(list(enumerate(months))))
    summary = submit(empty_platform, request("Nacionalidad;Mes;Eventos\n" + revised)).report.rules[
        "revises-published-value"
    ]
    assert summary.count == 150
    assert [issue.row for issue in summary.issues] == list(range(2, 102))
    assert "from 1 to 151" in summary.issues[0].message_en and "2022-06" in summary.issues[0].message_en


def test_each_row_repeating_a_revised_key_counts_as_a_revision_and_new_periods_do_not(empty_platform):
    first = submit(empty_platform, request())
    publish(empty_platform, ADMIN, first.version.id, "published by the test")
    report = submit(
        empty_platform, request("Nacionalidad;Mes;Eventos\nVEN;2024-01;1.250\nVEN;2024-01;1.300\nHND;2024-02;9\n")
    ).report
    assert report.rules["duplicate-key"].count == 1
    revised = report.rules["revises-published-value"]
    assert (revised.count, [issue.row for issue in revised.issues]) == (2, [2, 3])
    assert "from 1200 to 1300" in revised.issues[1].message_en


def test_loaded_versions_are_public_only_once_published(empty_platform):
    outcome = submit(empty_platform, request())
    catalog = Catalog(PublishedData(empty_platform))
    with pytest.raises(NotFoundError):
        catalog.data("DF_IRREGULAR_TRANSIT", DataSelection())
    publish(empty_platform, ADMIN, outcome.version.id, "published by the test")
    catalog = Catalog(PublishedData(empty_platform))
    assert catalog.data("DF_IRREGULAR_TRANSIT", DataSelection()).table.num_rows == 3


SDMX_CSV_2 = (
    "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,CITIZENSHIP,SEX,AGE,ACCOMPANIMENT,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE\n"
    "dataflow,PIVGM:DF_IRREGULAR_TRANSIT(1.0),{action_ven},M,MEX,VEN,_T,_T,_T,2024-01,{ven},EVENTS\n"
    "dataflow,PIVGM:DF_IRREGULAR_TRANSIT(1.0),{action_hnd},M,MEX,HND,_T,_T,_T,2024-01,{hnd},EVENTS\n"
)


def test_sdmx_csv_2_actions_merge_and_delete(empty_platform):
    submit(empty_platform, request())
    text = SDMX_CSV_2.format(action_ven="M", ven="1500", action_hnd="D", hnd="-")  # "-" marks the value deleted
    outcome = submit(empty_platform, request(text, mapping=None, name="envio.csv"))
    assert outcome.report.valid, outcome.report.to_dict()
    assert provider_rows(empty_platform, outcome.version.id) == {"VEN.2024-01": 1500, "GTM.2024-01": 640}


def test_a_file_over_the_size_limit_is_refused_before_anything_is_kept(tmp_path):
    platform = Platform.initialise(settings_for(tmp_path / "data", max_upload_mb=0.001))
    with pytest.raises(FileTooLargeError, match="limit"):
        submit(platform, request(FILE * 100))
    assert not (tmp_path / "data" / "archive").exists()


def test_latin1_semicolon_decimal_comma_files_are_read_as_national_offices_export_them(empty_platform):
    text = "Nacionalidad;Mes;Eventos\nVEN;2024-01;1.200,0\nHND;2024-01;850\n"
    outcome = submit(empty_platform, request(text, encoding="latin-1"))
    assert outcome.report.valid, outcome.report.to_dict()
    assert provider_rows(empty_platform, outcome.version.id)["VEN.2024-01"] == 1200


KILLED_SUBMISSION = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from pivgm.ingest.mapping import Mapping
    from pivgm.platform import Platform
    from pivgm.settings import Settings
    from pivgm.workflow.submissions import SubmissionRequest, submit

    platform = Platform.open(Settings(data_dir=Path(sys.argv[1])))
    rows = "".join(f"VEN;{2000 + i // 12}-{i % 12 + 1:02d};{i}\\n" for i in range(int(sys.argv[3])))
    mapping = Mapping.from_dict(__import__("json").loads(sys.argv[4]))

    def kill_at(stage):
        if stage == sys.argv[2]:
            os.kill(os.getpid(), signal.SIGKILL)

    submit(platform, SubmissionRequest("MX_UPM", "DF_IRREGULAR_TRANSIT", "grande.csv",
           ("Nacionalidad;Mes;Eventos\\n" + rows).encode(), mapping), checkpoint=kill_at)
    """
)


@pytest.mark.parametrize("stage", ["merged", "version-written"])
def test_a_submission_killed_mid_load_leaves_exactly_the_previous_version(tmp_path, stage):
    import json

    settings = settings_for(tmp_path / "data")
    platform = Platform.initialise(settings)
    before = submit(platform, request())
    process = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED_SUBMISSION,
            str(tmp_path / "data"),
            stage,
            "300",
            json.dumps(MAPPING.to_dict()),
        ],
        capture_output=True,
        timeout=120,
        check=False,
        env=environment_for(settings),
    )
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()
    reopened = Platform.open(settings)
    versions = reopened.records.versions("DF_IRREGULAR_TRANSIT")
    assert [v.id for v in versions] == [before.version.id]
    assert provider_rows(reopened, before.version.id) == provider_rows(platform, before.version.id)


def test_each_observation_says_when_it_was_last_revised(empty_platform):
    from datetime import UTC, datetime

    empty_platform.clock = lambda: datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    first = submit(empty_platform, request())
    empty_platform.clock = lambda: datetime(2026, 2, 9, 8, 30, tzinfo=UTC)
    second = submit(empty_platform, request("Nacionalidad;Mes;Eventos\nVEN;2024-01;1.250\nHND;2024-01;850\n"))
    publish(empty_platform, ADMIN, second.version.id, "published by the test")
    rows = Catalog(PublishedData(empty_platform)).data("DF_IRREGULAR_TRANSIT", DataSelection()).table.to_pylist()
    revised = {r["CITIZENSHIP"]: r["LAST_UPDATED"] for r in rows}
    assert revised == {"VEN": "2026-02-09T08:30:00Z", "HND": "2026-01-05T12:00:00Z", "GTM": "2026-01-05T12:00:00Z"}
    assert first.version is not None
