"""Transactions PostgreSQL aborted to break a deadlock or a serialization conflict, run again.

PostgreSQL resolves a deadlock by aborting one of the transactions involved (SQLSTATE 40P01) and expects the
application to retry it; the same holds for serialization failures (40001). A records method that commits in
one transaction and has no effect outside it can be run again as a whole: ``retried_on_conflict`` does so a
few times, with a short random pause, before letting the error through. SQLite never raises these: its
writers queue on the busy timeout."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError

CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPTS = 5

P = ParamSpec("P")
R = TypeVar("R")


def is_conflict(error: DBAPIError) -> bool:
    """Whether ``error`` is a transaction the server aborted so that another could go on."""
    return getattr(error.orig, "sqlstate", None) in CONFLICT_SQLSTATES


def retried_on_conflict(method: Callable[P, R]) -> Callable[P, R]:
    """``method`` (one whole transaction) run again when the server aborted it as a deadlock victim."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return method(*args, **kwargs)
            except DBAPIError as error:
                if attempt == ATTEMPTS or not is_conflict(error):
                    raise
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")

    return run
