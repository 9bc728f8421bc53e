"""Validation reports: every issue with its row (as the user sees it), column, value and a message in
Spanish and English; grouped by rule with exact counts even when the listed issues are capped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pivgm.cells import safe_row

MAX_ISSUES_PER_RULE = 100


class Severity(StrEnum):
    ERROR = "error"  # blocks loading
    WARNING = "warning"  # informs; the submission can load


@dataclass(frozen=True)
class Issue:
    type: str
    severity: Severity
    row: int | None
    column: str | None
    value: str | None
    message_es: str
    message_en: str

    def message(self, language: str) -> str:
        return self.message_es if language == "es" else self.message_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "severity": self.severity.value,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": {"es": self.message_es, "en": self.message_en},
        }


class Note(str):
    """A report note: its English text (the string itself, as notes always were) and its Spanish text.

    Notes not yet translated are plain strings; in JSON every note is ``{"es": ..., "en": ...}``, those with
    the English text in both."""

    es: str

    def __new__(cls, en: str, es: str | None = None) -> Note:
        note = super().__new__(cls, en)
        note.es = en if es is None else es
        return note

    def text(self, language: str) -> str:
        return self.es if language == "es" else str(self)


def note_text(note: str, language: str) -> str:
    """A note in ``language`` (notes not yet translated are in English)."""
    return note.text(language) if isinstance(note, Note) else note


def note_dict(note: str) -> dict[str, str]:
    return {"es": note_text(note, "es"), "en": str(note)}


def note_from(item: str | dict[str, str]) -> str:
    """A note from a stored report: a plain string (older reports) or ``{"es", "en"}``."""
    if isinstance(item, str):
        return item
    return item["en"] if item["es"] == item["en"] else Note(item["en"], item["es"])


@dataclass
class RuleSummary:
    type: str
    severity: Severity
    count: int = 0
    issues: list[Issue] = field(default_factory=list)


@dataclass
class ValidationReport:
    """The outcome of validating one file against one dataflow. Never raised: returned."""

    file_name: str
    dataflow_id: str
    rows: int = 0
    rules: dict[str, RuleSummary] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, issues: Iterable[Issue], total: int | None = None) -> None:
        """Add issues of one rule; ``total`` is the exact count when only the first ones are given."""
        listed = list(issues)
        if not listed:
            return
        summary = self.rules.setdefault(listed[0].type, RuleSummary(listed[0].type, listed[0].severity))
        room = MAX_ISSUES_PER_RULE - len(summary.issues)
        summary.issues.extend(listed[: max(room, 0)])
        summary.count += total if total is not None else len(listed)

    @property
    def error_count(self) -> int:
        return sum(s.count for s in self.rules.values() if s.severity is Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return sum(s.count for s in self.rules.values() if s.severity is Severity.WARNING)

    @property
    def valid(self) -> bool:
        return self.error_count == 0

    def issues(self) -> list[Issue]:
        listed = [issue for summary in self.rules.values() for issue in summary.issues]
        return sorted(listed, key=lambda i: (i.severity is not Severity.ERROR, i.row or 0, i.column or ""))

    def flatten(self, fields: Sequence[str]) -> list[list[Any]]:
        """The listed issues as rows of the given fields, for compact assertions."""
        return [[issue.to_dict()[f] for f in fields] for issue in self.issues()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "dataflow": self.dataflow_id,
            "rows": self.rows,
            "valid": self.valid,
            "errors": self.error_count,
            "warnings": self.warning_count,
            "rules": [
                {"type": s.type, "severity": s.severity.value, "count": s.count, "listed": len(s.issues)}
                for s in sorted(self.rules.values(), key=lambda s: (s.severity is not Severity.ERROR, s.type))
            ],
            "issues": [issue.to_dict() for issue in self.issues()],
            "notes": [note_dict(note) for note in self.notes],
        }

    def to_csv(self, language: str = "es") -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["severity", "type", "row", "column", "value", "message"])
        for issue in self.issues():
            # the column names, values and messages quote the submitted file: reviewers open this in Excel
            row = [issue.severity.value, issue.type, issue.row, issue.column, issue.value, issue.message(language)]
            writer.writerow(safe_row(v or None for v in row))
        return buffer.getvalue()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        notes = [note_from(item) for item in data["notes"]]
        report = cls(file_name=data["file"], dataflow_id=data["dataflow"], rows=data["rows"], notes=notes)
        counts = {r["type"]: (Severity(r["severity"]), r["count"]) for r in data["rules"]}
        for rule, (severity, count) in counts.items():
            report.rules[rule] = RuleSummary(rule, severity, count)
        for item in data["issues"]:
            issue = Issue(
                type=item["type"],
                severity=Severity(item["severity"]),
                row=item["row"],
                column=item["column"],
                value=item["value"],
                message_es=item["message"]["es"],
                message_en=item["message"]["en"],
            )
            report.rules[issue.type].issues.append(issue)
        return report
