"""What a submission changes against the provider's published data: new, revised and deleted observations
with the old and new values, the size of each change, and the totals by period the review page draws."""

from __future__ import annotations

from pivgm.ingest.mapping import Mapping
from pivgm.workflow.changes import changes
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.people import ADMIN

FLOW = "DF_IRREGULAR_TRANSIT"
HEADER = (
    "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,CITIZENSHIP,SEX,AGE,ACCOMPANIMENT,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE\n"
)
ROW = "dataflow,PIVGM:DF_IRREGULAR_TRANSIT(1.0),{action},M,MEX,{area},_T,_T,_T,{month},{value},{unit}\n"


def send(platform, *rows: tuple[str, str, str, str]):
    # A "D" row naming only the key deletes the observation; one with an attribute would delete just that.
    text = HEADER + "".join(
        ROW.format(action=a, area=c, month=m, value=v, unit="" if a == "D" else "EVENTS") for a, c, m, v in rows
    )
    outcome = submit(platform, SubmissionRequest("MX_UPM", FLOW, "envio.csv", text.encode(), Mapping()))
    assert outcome.report.valid, outcome.report.to_dict()
    return outcome.submission


def publish(platform, submission) -> None:
    for action in ("submit", "approve-national", "approve-regional", "publish"):
        take_step(platform, ADMIN, submission.id, action)


def test_a_first_load_is_all_new(empty_platform):
    found = changes(
        empty_platform, send(empty_platform, ("I", "VEN", "2024-01", "1200"), ("I", "HND", "2024-01", "850"))
    )
    assert (found.new, found.revised, found.deleted, found.published) == (2, 0, 0, False)


def test_revised_new_and_deleted_observations_carry_old_and_new_values(empty_platform):
    """Fails if the full outer join is replaced by an inner one (new and deleted rows would vanish)."""
    first = send(
        empty_platform, ("I", "VEN", "2024-01", "1200"), ("I", "HND", "2024-01", "850"), ("I", "CUB", "2024-01", "40")
    )
    publish(empty_platform, first)
    second = send(
        empty_platform, ("M", "VEN", "2024-01", "1500"), ("D", "HND", "2024-01", ""), ("I", "HTI", "2024-02", "75")
    )
    found = changes(empty_platform, second)
    assert (found.new, found.revised, found.deleted, found.unchanged) == (1, 1, 1, 1)
    by_kind = {c.kind: c for c in found.shown}
    assert (by_kind["revised"].old, by_kind["revised"].new, by_kind["revised"].difference) == (1200, 1500, 300)
    assert by_kind["revised"].relative == 0.25
    assert by_kind["revised"].key["CITIZENSHIP"] == "VEN"
    assert (by_kind["deleted"].old, by_kind["deleted"].new) == (850, None)
    assert (by_kind["new"].old, by_kind["new"].new, by_kind["new"].key["TIME_PERIOD"]) == (None, 75, "2024-02")
    assert found.totals == [("2024-01", 2090, 1540), ("2024-02", None, 75)]
