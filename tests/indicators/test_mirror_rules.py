"""Mirror rules are checked when the standard loads: a mistake names the rule and what to fix. (Seen red with the
reporter check and the same-fixed-places check each turned off.)"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pivgm.errors import StructureError
from pivgm.structures.loader import STRUCTURES_DIR, load_standard

RULE = "TRANSITS_PAN_HND"


def standard_with(tmp_path: Path, change: dict[str, Any], side: int = 0) -> Path:
    """A copy of the standard whose transit rule has ``change`` applied to one side."""
    copy = tmp_path / "structures"
    shutil.copytree(STRUCTURES_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = copy / "mirrors.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(r for r in content["mirrors"] if r["id"] == RULE)["sides"][side].update(change)
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reporter": "PA_XXX"}, "reporter 'PA_XXX' is not in providers.yaml"),
        ({"to": {"code": "XYZ"}}, "'XYZ' is not a code of CL_AREA"),
        ({"to": {"code": "USA"}}, "both sides must fix the same places to the same codes"),
        ({"key": {"FREQ": "M", "REF_AREA": "PAN"}}, "DF_IRREGULAR_TRANSIT's SEX is left open"),
    ],
)
def test_a_mistaken_mirror_rule_is_refused_naming_the_rule_and_the_mistake(tmp_path, change, message):
    with pytest.raises(StructureError) as refused:
        load_standard(standard_with(tmp_path, change))
    assert RULE in refused.value.message and message in refused.value.message
