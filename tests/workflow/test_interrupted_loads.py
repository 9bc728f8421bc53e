"""A `pivgm submit` killed in the middle of its load leaves no half-loaded submission: the submission it
recorded is marked failed by the next `pivgm gc` (or the next server start), never while a load is running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from pivgm.platform import Platform
from pivgm.warehouse.locks import loading
from pivgm.workflow.recovery import recover_interrupted_loads
from tests.backends import environment_for, settings_for
from tests.executable import EXECUTABLE
from tests.workflow.test_submissions import MAPPING

pytestmark = pytest.mark.slow


def monthly_counts(platform: Platform, years: range) -> str:
    """Counts for every country of CL_AREA and every month of ``years``: a file whose load takes a while."""
    codes = [c.id for c in platform.standard.codelist("CL_AREA").codes if "iso2" in c.annotations]
    lines = ["Nacionalidad;Mes;Eventos"]
    lines += [
        f"{code};{year}-{month:02d};{(i * 7919) % 5000 + 1}"
        for i, code in enumerate(codes)
        for year in years
        for month in range(1, 13)
    ]
    return "\n".join(lines) + "\n"


def test_a_submit_killed_mid_load_is_marked_failed_by_gc_and_never_while_a_load_runs(tmp_path):
    """Fails if ``submit`` records a loaded file as ``validated`` before its load commits (the killed
    submission would look checked and done), or if ``pivgm gc`` stops marking interrupted loads failed."""
    settings = settings_for(tmp_path / "data")
    platform = Platform.initialise(settings)
    data = tmp_path / "eventos.csv"
    data.write_text(monthly_counts(platform, range(1960, 2025)), encoding="utf-8")
    mapping = tmp_path / "mapeo.json"
    mapping.write_text(json.dumps(MAPPING.to_dict()), encoding="utf-8")
    env = environment_for(settings)
    command = [
        str(EXECUTABLE),
        "submit",
        str(data),
        "--flow",
        "DF_IRREGULAR_TRANSIT",
        "--provider",
        "MX_UPM",
        "--mapping",
        str(mapping),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not platform.submissions.find(states=["loading"]) and time.monotonic() < deadline:
            assert process.poll() is None, "the load ended before it could be interrupted"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    (killed,) = platform.submissions.find(states=["loading"])
    assert killed.version_id is None and platform.records.versions("DF_IRREGULAR_TRANSIT") == []

    with loading(settings.data_dir):  # a load in progress elsewhere: it may be that one, so nothing is marked
        assert recover_interrupted_loads(platform) == []
    assert platform.submissions.get(killed.id).status == "loading"

    gc = subprocess.run([str(EXECUTABLE), "gc"], env=env, capture_output=True, text=True, timeout=120)
    assert gc.returncode == 0, gc.stderr
    assert f"Marked 1 interrupted submission load(s) failed: {killed.id}." in " ".join(gc.stdout.split())
    after = platform.submissions.get(killed.id)
    assert after.status == "failed" and after.version_id is None
