"""The review workflow: each step by the right role and country, embargoes that lift by themselves,
withdrawals kept in history, and the data as published at any past moment."""

from __future__ import annotations

from datetime import timedelta

import pyarrow.parquet as pq
import pytest

from pivgm.accounts.actor import Role
from pivgm.accounts.audit import list_events
from pivgm.catalog import Catalog, DataSelection
from pivgm.catalog.published import PublishedData
from pivgm.errors import InvalidParameterError, NotFoundError, PermissionDeniedError
from pivgm.ingest.mapping import Mapping
from pivgm.records.audit import AuditFilter
from pivgm.records.repository import utc_now
from pivgm.workflow.review import TransitionNotAllowedError
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.people import ADMIN, person

MAPPING = Mapping(
    columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
    constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "EVENTS"},
)


@pytest.fixture
def team(empty_platform):
    p = empty_platform
    return {
        "platform": p,
        "mx_submitter": person(p, "mx.sub", (Role.NATIONAL_SUBMITTER, "MX_UPM")).actor,
        "mx_approver": person(p, "mx.app", (Role.NATIONAL_APPROVER, "MX_UPM")).actor,
        "gt_submitter": person(p, "gt.sub", (Role.NATIONAL_SUBMITTER, "GT_IGM")).actor,
        "gt_approver": person(p, "gt.app", (Role.NATIONAL_APPROVER, "GT_IGM")).actor,
        "regional": person(p, "rcm.rev", (Role.REGIONAL_REVIEWER, None)).actor,
    }


def draft(platform, provider="MX_UPM", area="MEX", value="1.200", month="2024-01"):
    text = f"Nacionalidad;Mes;Eventos\nVEN;{month};{value}\n"
    mapping = Mapping(MAPPING.columns, MAPPING.values, {**MAPPING.constants, "REF_AREA": area})
    outcome = submit(platform, SubmissionRequest(provider, "DF_IRREGULAR_TRANSIT", "e.csv", text.encode(), mapping))
    assert outcome.version is not None, outcome.report.to_dict()
    return outcome.submission.id


def public_values(platform, **selection) -> list[float]:
    view = Catalog(PublishedData(platform)).data("DF_IRREGULAR_TRANSIT", DataSelection(**selection))
    return view.table.column("OBS_VALUE").to_pylist()


def approve_all(team, submission_id, release_at=None):
    p = team["platform"]
    take_step(p, team["mx_submitter"], submission_id, "submit")
    take_step(p, team["mx_approver"], submission_id, "approve-national")
    take_step(p, team["regional"], submission_id, "approve-regional")
    return take_step(p, team["regional"], submission_id, "publish", release_at=release_at)


def test_the_full_path_publishes_and_keeps_the_history(team):
    p = team["platform"]
    submission = draft(p)
    published = approve_all(team, submission)
    assert published.status == "published"
    assert public_values(p) == [1200]
    steps = [(e.action, e.from_state, e.to_state, e.actor) for e in p.submissions.events(submission)]
    assert steps == [
        ("submit", "draft", "submitted", "mx.sub"),
        ("approve-national", "submitted", "approved_national", "mx.app"),
        ("approve-regional", "approved_national", "approved_regional", "rcm.rev"),
        ("publish", "approved_regional", "published", "rcm.rev"),
    ]


@pytest.mark.parametrize(
    ("who", "action", "error"),
    [
        ("gt_submitter", "submit", PermissionDeniedError),  # another country
        ("gt_approver", "submit", PermissionDeniedError),
        ("mx_approver", "submit", PermissionDeniedError),  # right country, wrong role
        ("regional", "submit", PermissionDeniedError),
        ("mx_submitter", "publish", TransitionNotAllowedError),  # wrong state
        ("mx_submitter", "fly", InvalidParameterError),
    ],
)
def test_a_step_by_the_wrong_role_or_country_changes_nothing_and_is_audited(team, who, action, error):
    p = team["platform"]
    submission = draft(p)
    with pytest.raises(error):
        take_step(p, team[who], submission, action)
    assert p.submissions.get(submission).status == "draft"
    if error is not InvalidParameterError:
        refused = list_events(p, ADMIN, AuditFilter(action="permission.denied", target=f"submission:{submission}"))
        assert refused.total == 1


def test_a_rejection_needs_a_comment_and_returns_the_submission_to_draft(team):
    p = team["platform"]
    submission = draft(p)
    take_step(p, team["mx_submitter"], submission, "submit")
    with pytest.raises(InvalidParameterError, match="comment"):
        take_step(p, team["mx_approver"], submission, "reject")
    rejected = take_step(p, team["mx_approver"], submission, "reject", comment="Faltan los datos de marzo.")
    assert rejected.status == "draft"
    assert p.submissions.events(submission)[-1].comment == "Faltan los datos de marzo."


def test_an_embargoed_release_is_invisible_until_its_time_and_then_appears_by_itself(team):
    p = team["platform"]
    release_at = utc_now() + timedelta(hours=2)
    published = approve_all(team, draft(p), release_at=release_at)
    assert published.release_at == release_at.replace(microsecond=release_at.microsecond)
    with pytest.raises(NotFoundError):
        public_values(p)
    p.clock = lambda: release_at + timedelta(seconds=1)
    assert public_values(p) == [1200]


def test_a_release_cannot_overtake_one_that_is_scheduled(team):
    p = team["platform"]
    approve_all(team, draft(p), release_at=utc_now() + timedelta(hours=2))
    other = draft(p, provider="GT_IGM", area="GTM")
    take_step(p, team["gt_submitter"], other, "submit")
    take_step(p, team["gt_approver"], other, "approve-national")
    take_step(p, team["regional"], other, "approve-regional")
    with pytest.raises(Exception, match="scheduled"):
        take_step(p, team["regional"], other, "publish")
    assert p.submissions.get(other).status == "approved_regional"


def test_withdrawing_a_publication_restores_the_providers_previous_version(team):
    p = team["platform"]
    approve_all(team, draft(p, value="1.200"))
    second = draft(p, value="1.500")
    approve_all(team, second)
    assert public_values(p) == [1500]
    withdrawn = take_step(p, team["regional"], second, "withdraw", comment="Cifra en revisión.")
    assert withdrawn.status == "withdrawn"
    assert public_values(p) == [1200]


def version_values(platform, submission_id) -> dict[str, float]:
    """TIME_PERIOD -> OBS_VALUE of the version a submission loaded."""
    version = platform.records.version(platform.submissions.get(submission_id).version_id)
    table = pq.read_table(platform.warehouse.path(version.parquet_file))
    return dict(zip(table.column("TIME_PERIOD").to_pylist(), table.column("OBS_VALUE").to_pylist(), strict=True))


def reject(team, submission_id):
    take_step(team["platform"], team["mx_submitter"], submission_id, "submit")
    take_step(team["platform"], team["mx_approver"], submission_id, "reject", comment="Febrero no está cerrado.")


def withdraw(team, submission_id):
    approve_all(team, submission_id)
    take_step(team["platform"], team["regional"], submission_id, "withdraw", comment="Cifra en revisión.")


@pytest.mark.parametrize("set_aside", [reject, withdraw])
def test_a_new_submission_builds_on_the_published_data_not_on_a_rejected_or_withdrawn_version(team, set_aside):
    p = team["platform"]
    approve_all(team, draft(p, value="100", month="2024-01"))
    set_aside(team, draft(p, value="999", month="2024-02"))
    following = draft(p, value="300", month="2024-03")
    assert version_values(p, following) == {"2024-01": 100, "2024-03": 300}


def test_a_new_submission_builds_on_a_draft_still_in_review(team):
    p = team["platform"]
    approve_all(team, draft(p, value="100", month="2024-01"))
    pending = draft(p, value="200", month="2024-02")
    take_step(p, team["mx_submitter"], pending, "submit")
    following = draft(p, value="300", month="2024-03")
    assert version_values(p, following) == {"2024-01": 100, "2024-02": 200, "2024-03": 300}


def test_as_of_shows_the_data_as_they_were_published_then(team):
    p = team["platform"]
    approve_all(team, draft(p, value="1.200"))
    between = utc_now()
    approve_all(team, draft(p, value="1.500"))
    assert public_values(p) == [1500]
    assert public_values(p, as_of=between) == [1200]
    with pytest.raises(NotFoundError):
        public_values(p, as_of=between - timedelta(days=1))
