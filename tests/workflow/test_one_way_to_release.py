"""Every path that makes a release (review publication, withdrawal, source load, pull, command line) builds on
the dataflow's newest release and commits only if that release is still the newest: no lost update."""

from __future__ import annotations

from datetime import timedelta

import pyarrow.parquet as pq
import pytest

from pivgm.accounts.actor import Role
from pivgm.ingest.mapping import Mapping
from pivgm.records.repository import utc_now
from pivgm.sources import get_importer
from pivgm.workflow.loading import load_source
from pivgm.workflow.publishing import ReleaseOrderError
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.people import person
from tests.workflow.test_review import MAPPING

FLOW = "DF_IRREGULAR_TRANSIT"
SOURCE = "honduras_inm"  # provider HN_INM of the same dataflow as the submissions below


@pytest.fixture
def team(empty_platform):
    p = empty_platform
    return {
        "platform": p,
        "MX_UPM": (
            person(p, "mx.sub", (Role.NATIONAL_SUBMITTER, "MX_UPM")).actor,
            person(p, "mx.app", (Role.NATIONAL_APPROVER, "MX_UPM")).actor,
        ),
        "GT_IGM": (
            person(p, "gt.sub", (Role.NATIONAL_SUBMITTER, "GT_IGM")).actor,
            person(p, "gt.app", (Role.NATIONAL_APPROVER, "GT_IGM")).actor,
        ),
        "regional": person(p, "rcm.rev", (Role.REGIONAL_REVIEWER, None)).actor,
    }


def approved(team, provider: str, area: str, value: str = "1200") -> int:
    """A submission of ``provider`` taken up to the last step before publication."""
    p = team["platform"]
    mapping = Mapping(MAPPING.columns, MAPPING.values, {**MAPPING.constants, "REF_AREA": area})
    text = f"Nacionalidad;Mes;Eventos\nVEN;2024-01;{value}\n".encode()
    outcome = submit(p, SubmissionRequest(provider, FLOW, "e.csv", text, mapping))
    assert outcome.version is not None, outcome.report.to_dict()
    submitter, approver = team[provider]
    sid = outcome.submission.id
    take_step(p, submitter, sid, "submit")
    take_step(p, approver, sid, "approve-national")
    take_step(p, team["regional"], sid, "approve-regional")
    return sid


def in_force(platform, at=None) -> dict[str, int]:
    """Provider -> version id in the release in force."""
    release = platform.records.published_releases(at)[FLOW]
    return {v.provider_id: v.id for v in platform.records.release_versions(release.id)}


def load(platform, **kwargs):
    return load_source(get_importer(SOURCE), platform.standard, platform.records, platform.warehouse, **kwargs)


def test_a_publication_committed_during_a_source_load_stays_in_the_release(team):
    """Reproduces the lost update of issue 11: the load built its release before the publication committed,
    then committed it on top, so the submission said "published" while its data were gone. Fails if
    ``check_base`` is removed from ``Records.record_version_and_release``."""
    p = team["platform"]
    mexico = approved(team, "MX_UPM", "MEX")
    published = []

    def publish_meanwhile(stage: str) -> None:
        if stage == "release-written" and not published:
            published.append(take_step(p, team["regional"], mexico, "publish"))

    result = load(p, checkpoint=publish_meanwhile)
    assert published[0].status == "published"
    version = p.submissions.get(mexico).version_id
    assert in_force(p) == {"HN_INM": result.version.id, "MX_UPM": version}


def test_a_source_load_cannot_undo_itself_when_an_embargo_lifts(team):
    """Reproduces issue 11: a load after an embargoed publication released the source's new version now,
    but the embargoed release (built before it) then took effect without it. The load is now refused with a
    clear message and nothing is recorded; the release in force when the embargo lifts has the newest
    version of every provider. Fails if the scheduled-release check is removed from ``Publisher.base``."""
    p = team["platform"]
    first = load(p)
    release_at = utc_now() + timedelta(hours=2)
    mexico = approved(team, "MX_UPM", "MEX")
    take_step(p, team["regional"], mexico, "publish", release_at=release_at)
    versions_before = len(p.records.versions(FLOW))
    with pytest.raises(ReleaseOrderError, match="scheduled"):
        load(p)
    assert len(p.records.versions(FLOW)) == versions_before
    after = release_at + timedelta(seconds=1)
    assert in_force(p, after) == {"HN_INM": first.version.id, "MX_UPM": p.submissions.get(mexico).version_id}
    assert {v.provider_id: v.id for v in p.records.current_versions(FLOW)}["HN_INM"] == first.version.id


def test_two_publications_interleaved_both_reach_the_release(team):
    """Publication A is built, then publication B is built and committed before A commits (the seam runs B
    between A's build and commit): A's commit is refused, rebuilt on B's release and committed, so both
    providers are published. Fails if ``check_base`` is removed from ``add_release``."""
    p = team["platform"]
    mexico, guatemala = approved(team, "MX_UPM", "MEX"), approved(team, "GT_IGM", "GTM")
    stages = []

    def publish_guatemala_first(stage: str) -> None:
        stages.append(stage)
        if len(stages) == 1:
            take_step(p, team["regional"], guatemala, "publish")

    take_step(p, team["regional"], mexico, "publish", seam=publish_guatemala_first)
    assert stages == ["built", "built"]  # A was built twice: once on the old base, once on B's release
    expected = {
        provider: p.submissions.get(s).version_id for provider, s in (("MX_UPM", mexico), ("GT_IGM", guatemala))
    }
    assert in_force(p) == expected
    assert [e.action for e in p.submissions.events(mexico)][-1] == "publish"


def test_a_submission_merged_while_another_was_recorded_is_merged_again(team):
    """Two uploads of one provider merge on the same base; the one that commits second is merged again on
    the first's version instead of dropping its observations. Fails if ``check_version_base`` is removed."""
    p = team["platform"]
    mapping = Mapping(MAPPING.columns, MAPPING.values, {**MAPPING.constants, "REF_AREA": "MEX"})

    def upload(month: str, checkpoint=None):
        text = f"Nacionalidad;Mes;Eventos\nVEN;{month};100\n".encode()
        request = SubmissionRequest("MX_UPM", FLOW, f"{month}.csv", text, mapping)
        return submit(p, request, checkpoint) if checkpoint else submit(p, request)

    inner = []

    def upload_meanwhile(stage: str) -> None:
        if stage == "version-written" and not inner:
            inner.append(upload("2024-02"))

    outer = upload("2024-01", upload_meanwhile)
    table = pq.read_table(p.warehouse.path(outer.version.parquet_file))
    assert sorted(table.column("TIME_PERIOD").to_pylist()) == ["2024-01", "2024-02"]
