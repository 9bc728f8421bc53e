"""Imported once by the process that submission jobs are forked from (``jobs``): the modules and the standard
every job needs are loaded there, before any fork, so that a job starts in milliseconds."""

from __future__ import annotations

from pivgm.records.database import load_drivers
from pivgm.structures import load_standard
from pivgm.workflow import jobs  # noqa: F401  (imported for its modules)

load_drivers()
load_standard()
