"""docs/submissions.md lists exactly the rules and limits the platform applies."""

from __future__ import annotations

import re
from pathlib import Path

from pivgm.ingest.readers.xlsx import MAX_RATIO, MAX_UNCOMPRESSED_BYTES
from pivgm.ingest.report import MAX_ISSUES_PER_RULE
from pivgm.ingest.rules import BLOCKING_RULES, RULES
from pivgm.settings import Settings

PAGE = (Path(__file__).parents[3] / "docs" / "submissions.md").read_text(encoding="utf-8")


def test_every_rule_is_documented_with_its_severity_and_nothing_else_is():
    documented = dict(re.findall(r"^\| `([a-z-]+)` \| (error|warning) \|", PAGE, flags=re.MULTILINE))
    assert documented == {rule.type: rule.severity.value for rule in (*BLOCKING_RULES, *RULES)}


def test_the_documented_limits_are_the_ones_applied():
    settings = Settings()
    assert f"`PIVGM_MAX_UPLOAD_MB` ({settings.max_upload_mb:g})" in PAGE
    assert f"`PIVGM_MAX_SUBMISSION_ROWS` ({settings.max_submission_rows:,})" in PAGE
    assert f"`PIVGM_MAX_SUBMISSION_COLUMNS` ({settings.max_submission_columns:,})" in PAGE
    assert f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB uncompressed, {MAX_RATIO} times" in PAGE
    assert f"the first {MAX_ISSUES_PER_RULE} issues of each rule" in PAGE
