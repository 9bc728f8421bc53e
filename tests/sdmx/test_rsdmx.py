"""R's rsdmx (Debian's r-cran-rsdmx, installed by ``scripts/setup test``) reads a live server as a registered
service provider: dataflows and codelists named in Spanish and English, and data with ``dsd=TRUE``, which
fetches the data structure the data message names and labels every code in both languages."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from pivgm.catalog import DataSelection
from tests.browser.conftest import missing

SELECTED = {"FREQ": ["M"], "REF_AREA": ["HND"], "CITIZENSHIP": ["VEN"]}  # the script's key M.HND.VEN...
SCRIPT = Path(__file__).with_name("rsdmx_reads.R")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def read_by_rsdmx(live_url, tmp_path_factory) -> Path:
    """The folder of what rsdmx read (one R process for the three reads: R starts slowly)."""
    if shutil.which("Rscript") is None:
        missing("Rscript is not installed (r-cran-rsdmx)")
    if subprocess.run(["Rscript", "-e", "library(rsdmx)"], capture_output=True, check=False).returncode != 0:
        missing("rsdmx is not installed (r-cran-rsdmx)")
    out = tmp_path_factory.mktemp("rsdmx")
    done = subprocess.run(
        ["Rscript", str(SCRIPT), live_url, str(out)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_rsdmx_reads_the_dataflows_in_spanish_and_english(read_by_rsdmx, catalog):
    flows = {row["id"]: row for row in rows(read_by_rsdmx / "dataflows.csv")}
    assert set(flows) == set(catalog.standard.dataflows)
    transit = catalog.standard.dataflow("DF_IRREGULAR_TRANSIT")
    assert flows["DF_IRREGULAR_TRANSIT"]["Name.es"] == transit.name.get("es")
    assert flows["DF_IRREGULAR_TRANSIT"]["Name.en"] == transit.name.get("en")
    assert flows["DF_IRREGULAR_TRANSIT"]["dsdRef"] == "DSD_IRREGULAR_TRANSIT"


def test_rsdmx_reads_a_codelist_of_the_data_structure(read_by_rsdmx):
    monthly = next(row for row in rows(read_by_rsdmx / "codes.csv") if row["id"] == "M")
    assert (monthly["label.es"], monthly["label.en"]) == ("Mensual", "Monthly")


def test_rsdmx_labels_data_with_the_structure_the_message_names(read_by_rsdmx, catalog):
    """``dsd=TRUE`` fetches /datastructure/all/{the data set's structureRef}: a dataflow-based id is a 404."""
    data = rows(read_by_rsdmx / "data.csv")
    assert data and {row["REF_AREA"] for row in data} == {"HND"}
    assert {(row["FREQ_label.es"], row["FREQ_label.en"]) for row in data} == {("Mensual", "Monthly")}
    assert {(row["AGE_label.es"], row["AGE_label.en"]) for row in data} == {("Todas las edades", "All ages")}
    assert {row["OBS_STATUS_label.en"] for row in data} >= {"Normal value"}
    selection = DataSelection(filters=SELECTED, start="2024-01", end="2024-12")
    published = catalog.data("DF_IRREGULAR_TRANSIT", selection).table.to_pylist()
    values = {(row["obsTime"], float(row["obsValue"])) for row in data}
    assert values == {(row["TIME_PERIOD"], row["OBS_VALUE"]) for row in published}
