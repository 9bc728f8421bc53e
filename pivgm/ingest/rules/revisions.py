"""Cross-submission rules: what a submission changes in data already published."""

from __future__ import annotations

from pivgm.ingest.report import MAX_ISSUES_PER_RULE, Severity
from pivgm.ingest.rules.base import NOTHING, Found, Rule, ValidationContext


class RevisedPublishedValue(Rule):
    type = "revises-published-value"
    severity = Severity.WARNING
    messages = {
        "es": "Esta fila cambia un valor ya publicado de {value}: de {old} a {new}. La revisión se marcará "
        "para revisión.",
        "en": "This row changes an already published value of {value}: from {old} to {new}. The revision will "
        "be flagged for review.",
    }

    def check(self, context: ValidationContext) -> Found:
        structure = context.dataflow.structure
        keys = [*structure.dimension_ids, structure.time_dimension]
        if context.history is None or not context.history.num_rows or not set(keys) <= context.present:
            return NOTHING
        first, count = context.checks.revisions(keys, structure.measure.id, context.history, MAX_ISSUES_PER_RULE)
        shown = context.checks.key_text(keys, first)  # every row may revise one: the key only for those shown
        old, new = (lambda r: _number(r["old_value"])), (lambda r: _number(r["new_value"]))
        issues, _ = self.from_rows(shown, None, "key", old=old, new=new)
        return issues, count


def _number(value: float | None) -> str:
    """A value as written in a message; an absent one (a deletion, an empty cell) as a dash."""
    return "—" if value is None else f"{value:g}"


REVISION_RULES = (RevisedPublishedValue(),)
