"""Indicator files are checked when the standard loads: a mistake names the file and what to fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pivgm.errors import StructureError
from pivgm.structures.loader import STRUCTURES_DIR, load_standard

GOOD = "DF_IND_REMITTANCES_PCT_GDP"


def standard_with(tmp_path: Path, change: dict[str, object]) -> Path:
    """A copy of the standard whose remittances indicator has ``change`` applied."""
    copy = tmp_path / "structures"
    shutil.copytree(STRUCTURES_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = copy / "indicators" / f"{GOOD}.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    content.update(change)
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"formula": "100 * remittances / pib"}, "formula names 'pib', which is not an input"),
        ({"formula": "__import__('os')"}, "formula"),
        (
            {
                "inputs": {
                    "remittances": {"dataflow": "DF_REMITTANCES", "key": {"FREQ": "A", "REMITTANCE_FLOW": "IN"}},
                    "gdp": {"dataflow": "DF_SOCIOECONOMIC", "key": {"FREQ": "A", "INDICATOR": "GDP"}},
                }
            },
            "leaves DF_REMITTANCES's COUNTERPART_AREA open",
        ),
        (
            {
                "inputs": {
                    "remittances": {"dataflow": "DF_POPULATION", "key": {"FREQ": "A"}},
                    "gdp": {"dataflow": "DF_SOCIOECONOMIC", "key": {"FREQ": "A", "INDICATOR": "PIB"}},
                }
            },
            "INDICATOR='PIB' is not in its codelist",
        ),
        ({"unit": "PERCENT"}, "UNIT_MEASURE='PERCENT' is not in CL_UNIT_MEASURE"),
    ],
)
def test_a_mistaken_indicator_file_is_refused_naming_the_file_and_the_mistake(tmp_path, change, message):
    with pytest.raises(StructureError) as refused:
        load_standard(standard_with(tmp_path, change))
    assert GOOD in refused.value.message and message in refused.value.message


def test_the_shipped_indicators_load_with_their_dataflows():
    standard = load_standard()
    assert set(standard.indicators) == {p.stem for p in (STRUCTURES_DIR / "indicators").glob("*.yaml")}
    assert all(standard.dataflow(i).theme == "indicators" for i in standard.indicators)
