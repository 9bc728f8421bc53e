"""A backup of the embedded default restores into an empty directory and reproduces every response."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile

import pytest
from fastapi.testclient import TestClient

from pivgm.accounts.actor import Role
from pivgm.ingest.mapping import Mapping
from pivgm.operations.backup import BackupError, backup, restore
from pivgm.settings import Settings
from pivgm.sources import get_importer
from pivgm.web.app import create_app
from pivgm.workflow.loading import load_source
from pivgm.workflow.submissions import SubmissionRequest, submit
from tests.backends import SERVER_URL
from tests.conftest import new_platform
from tests.people import person
from tests.routes import concrete_paths, get_routes

pytestmark = pytest.mark.skipif(bool(SERVER_URL), reason="on PostgreSQL the records are backed up with pg_dump")

FLOW = "DF_IRREGULAR_TRANSIT"
SDMX_PATHS = [f"data/{FLOW}/all", f"dataflow/PIVGM/{FLOW}/latest", f"availableconstraint/{FLOW}"]


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    platform = new_platform(tmp_path_factory.mktemp("original"))
    for source in ("panama_darien", "honduras_inm", "worldbank_population"):
        load_source(get_importer(source), platform.standard, platform.records, platform.warehouse)
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    mapping = Mapping(
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
    outcome = submit(
        platform,
        SubmissionRequest("MX_UPM", FLOW, "eventos.csv", b"Nacionalidad;Mes;Eventos\nVEN;2024-01;5\n", mapping),
    )
    return platform, admin, outcome.submission.id


def without_message_header(content: bytes) -> bytes:
    """SDMX messages carry a fresh message id and preparation time: everything else must be equal."""
    content = re.sub(rb"<message:ID>[^<]*</message:ID>", b"", content)
    content = re.sub(rb"<message:Prepared>[^<]*</message:Prepared>", b"", content)
    return re.sub(rb'"(id|prepared)": ?"[^"]*"', b"", content)


def without_script_nonce(content: bytes) -> bytes:
    """The API docs page allows its script by a nonce drawn afresh for every response; the rest must be equal."""
    return re.sub(rb'nonce="[A-Za-z0-9_-]+"', b'nonce=""', content)


def responses(settings: Settings, headers: dict[str, str], submission_id: int) -> dict[str, bytes]:
    app = create_app(settings)
    seen = {}
    with TestClient(app) as client:
        for template in get_routes(app):
            for path in concrete_paths(template, {"draft": submission_id}, FLOW, SDMX_PATHS):
                for query in ({}, {"lang": "en"}, {"format": "csv"}):
                    response = client.get(path, params=query, headers=headers)
                    if response.headers.get("content-type", "").startswith(("text/", "application/json")):
                        text = response.text
                        if "csrf" in text:  # CSRF tokens are masked afresh on every page by design
                            continue
                    seen[f"{path}?{query}"] = response.status_code.to_bytes(2, "big") + without_message_header(
                        without_script_nonce(response.content)
                    )
    return seen


def test_a_restored_backup_reproduces_every_page_and_api_response(original, tmp_path):
    platform, admin, submission_id = original
    archive = tmp_path / "pivgm.tar.gz"
    summary = backup(platform, archive)
    assert summary.files >= 7  # versions, releases and the archived upload
    restored = Settings(data_dir=tmp_path / "restored")
    assert restore(archive, restored) == summary.files
    before = responses(platform.settings, admin.headers, submission_id)
    after = responses(restored, admin.headers, submission_id)
    assert len(before) > 50
    # the audit log differs by design: reading it is itself audited, on each side separately
    # and tokens show when they were last used, which the reading itself changes
    differing = [key for key in before if before[key] != after.get(key) and not re.search("audit|tokens", key)]
    assert differing == [], differing


def test_restore_refuses_a_directory_that_already_has_records(original, tmp_path):
    platform, _, _ = original
    archive = tmp_path / "pivgm.tar.gz"
    backup(platform, archive)
    with pytest.raises(BackupError, match="empty data directory"):
        restore(archive, platform.settings)


def test_a_damaged_or_foreign_archive_is_refused_with_a_clear_error(tmp_path):
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        (tmp_path / "notes.txt").write_text("hello")
        archive.add(tmp_path / "notes.txt", "notes.txt")
    with pytest.raises(BackupError, match="not a readable PIVGM backup"):
        restore(foreign, Settings(data_dir=tmp_path / "target"))
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not a tar file")
    with pytest.raises(BackupError, match="not a readable PIVGM backup"):
        restore(garbage, Settings(data_dir=tmp_path / "target2"))


def hostile_backup(tmp_path, name: str) -> tarfile.TarFile:
    """A backup-shaped archive whose manifest lists ``name`` with its true digest, and a good records file."""
    path = tmp_path / "hostile.tar.gz"
    payload = tmp_path / "payload"
    payload.write_bytes(b"x" * 100)
    digest = hashlib.sha256(payload.read_bytes()).hexdigest()
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"files": {"versions/ok.parquet": digest, name: digest}}))
    with tarfile.open(path, "w:gz") as archive:
        archive.add(payload, "records.sqlite")
        archive.add(payload, "versions/ok.parquet")
        archive.add(payload, name)
        archive.add(manifest, "manifest.json")
    return path


@pytest.mark.parametrize(
    ("entry", "problem"),
    [("/tmp/pivgm-restore-escape", "an absolute path"), ("../escape", "a path leading out of the data directory")],
)
def test_a_backup_with_an_entry_outside_the_data_directory_is_refused_and_nothing_is_written(tmp_path, entry, problem):
    """Fails if the entries are not checked before extraction (an absolute path crashed the restore) or if
    files are extracted straight into the target (a refused restore left the files before the bad one)."""
    target = tmp_path / "target"
    with pytest.raises(BackupError, match=re.escape(f"{entry!r}, {problem}: not a PIVGM backup. Nothing was")):
        restore(hostile_backup(tmp_path, entry), Settings(data_dir=target))
    assert not target.exists() or not any(target.iterdir())
    assert not [p for p in tmp_path.iterdir() if ".restoring-" in p.name]


def test_a_backup_with_a_damaged_file_restores_nothing(tmp_path):
    """Fails if files are moved into the target before every digest is checked."""
    path = hostile_backup(tmp_path, "releases/fine.parquet")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(path) as source, tarfile.open(damaged, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "releases/fine.parquet":
                data = b"y" * len(data)
            copy.addfile(member, io.BytesIO(data))
    target = tmp_path / "target"
    with pytest.raises(BackupError, match=r"releases/fine\.parquet does not match its checksum.*Nothing was restored"):
        restore(damaged, Settings(data_dir=target))
    assert not target.exists() or not any(target.iterdir())
