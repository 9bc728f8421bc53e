"""Validation rules, run in order. Adding a rule is adding a class to one of these tuples."""

from pivgm.ingest.rules.base import Found, Rule, ValidationContext
from pivgm.ingest.rules.plausibility import PLAUSIBILITY_RULES
from pivgm.ingest.rules.revisions import REVISION_RULES
from pivgm.ingest.rules.structural import STRUCTURAL_RULES, MissingColumn

BLOCKING_RULES: tuple[Rule, ...] = (MissingColumn(),)
RULES: tuple[Rule, ...] = (*STRUCTURAL_RULES, *PLAUSIBILITY_RULES, *REVISION_RULES)

__all__ = ["BLOCKING_RULES", "RULES", "Found", "Rule", "ValidationContext"]
