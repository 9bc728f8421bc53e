"""Writes from the command line, run as the installed ``pivgm``: each names who did it (the operating system's
user, or ``--as`` an account) in an audit row of its own transaction, and publishing follows the review
rules unless an administrator overrides them with a recorded reason."""

from __future__ import annotations

import getpass
import json
import subprocess
from pathlib import Path

import pytest

from pivgm.accounts.actor import Role
from pivgm.accounts.audit import list_events
from pivgm.platform import Platform
from pivgm.records.audit import AuditFilter
from pivgm.settings import Settings
from tests.backends import environment_for, settings_for
from tests.executable import EXECUTABLE
from tests.people import ADMIN, person
from tests.workflow.test_submissions import FILE, MAPPING

FLOW = "DF_IRREGULAR_TRANSIT"
ME = f"cli:{getpass.getuser()}"


def pivgm(settings: Settings, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXECUTABLE), *arguments],
        env={**environment_for(settings), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def office(tmp_path: Path):
    """A platform with a submitter and a regional reviewer, and a national file with its mapping."""
    settings = settings_for(tmp_path / "data")
    platform = Platform.initialise(settings)
    person(platform, "mx.sub", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    person(platform, "mx.app", (Role.NATIONAL_APPROVER, "MX_UPM"))
    person(platform, "rcm.rev", (Role.REGIONAL_REVIEWER, None))
    (tmp_path / "eventos.csv").write_text(FILE, encoding="utf-8")
    (tmp_path / "mapping.json").write_text(json.dumps(MAPPING.to_dict()), encoding="utf-8")
    return settings, platform, tmp_path


def submit(settings: Settings, folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    arguments = ["submit", str(folder / "eventos.csv"), "--flow", FLOW, "--provider", "MX_UPM"]
    return pivgm(settings, *arguments, "--mapping", str(folder / "mapping.json"), *extra)


def events(platform: Platform, action: str) -> list:
    return list_events(platform, ADMIN, AuditFilter(action=action)).events


def test_submit_publish_without_a_reason_is_refused_before_anything_is_written(office):
    settings, platform, folder = office
    result = submit(settings, folder, "--publish")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--override-reason" in result.stderr
    assert platform.submissions.count() == 0
    assert platform.records.published_releases() == {}


def test_a_submission_as_an_account_is_audited_under_its_name_and_waits_for_review(office):
    settings, platform, folder = office
    result = submit(settings, folder, "--as", "mx.sub")
    assert result.returncode == 0, result.stderr
    submission = platform.submissions.find()[0]
    assert (submission.status, submission.created_by) == ("draft", "mx.sub")
    assert [e.actor_name for e in events(platform, "submission.uploaded")] == ["mx.sub"]
    assert [e.actor_name for e in events(platform, "submission.loaded")] == ["mx.sub"]
    refused = pivgm(settings, "publish", str(submission.version_id), "--as", "rcm.rev")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "cannot be 'publish'ed" in refused.stderr
    assert platform.records.published_releases() == {}


def test_publish_takes_the_review_step_when_the_submission_is_approved(office):
    settings, platform, folder = office
    assert submit(settings, folder, "--as", "mx.sub").returncode == 0
    submission = platform.submissions.find()[0]
    for action, who in (("submit", "mx.sub"), ("approve-national", "mx.app"), ("approve-regional", "rcm.rev")):
        step = pivgm(settings, "review", str(submission.id), action, "--as", who)
        assert step.returncode == 0, step.stderr
    result = pivgm(settings, "publish", str(submission.version_id), "--as", "rcm.rev")
    assert result.returncode == 0, result.stderr
    assert platform.submissions.get(submission.id).status == "published"
    assert FLOW in platform.records.published_releases()
    assert [e.actor_name for e in events(platform, "submission.publish")] == ["rcm.rev"]


def test_an_administrators_override_needs_a_reason_and_records_it(office):
    """Fails if the override's audit row is no longer written with the release (``overrides.publish``)."""
    settings, platform, folder = office
    assert submit(settings, folder, "--as", "mx.sub").returncode == 0
    version = platform.submissions.find()[0].version_id
    refused = pivgm(settings, "publish", str(version), "--as", "rcm.rev", "--override-reason", "Urgente")
    assert refused.returncode == 7, refused.stdout + refused.stderr
    assert "not an administrator" in refused.stderr
    result = pivgm(settings, "publish", str(version), "--override-reason", "Cifras oficiales urgentes")
    assert result.returncode == 0, result.stderr
    assert platform.submissions.of_version(version).status == "published"
    [override] = events(platform, "release.override")
    assert (override.actor_name, override.details["reason"]) == (ME, "Cifras oficiales urgentes")
    assert platform.submissions.events(platform.submissions.find()[0].id)[-1].comment == "Cifras oficiales urgentes"


def test_loading_sources_is_audited_as_the_operating_system_user_or_refused_to_a_non_administrator(office):
    settings, platform, _ = office
    refused = pivgm(settings, "load-sources", "--only", "honduras_inm", "--as", "rcm.rev")
    assert refused.returncode == 7, refused.stdout + refused.stderr
    assert FLOW not in platform.records.published_releases()
    result = pivgm(settings, "load-sources", "--only", "honduras_inm")
    assert result.returncode == 0, result.stderr
    assert [(e.actor_name, e.target) for e in events(platform, "source.loaded")] == [(ME, "source:honduras_inm")]
