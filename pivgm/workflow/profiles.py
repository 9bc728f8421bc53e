"""The publishing job's last part: the country profiles of the releases it put in force, computed once and
kept on disk before anyone asks (``web/profile_store.py``), so no web worker computes them again.

A publication taking effect later (an embargo) has its profiles computed for the moment it takes effect:
they are kept under that future state's tag, which the public side cannot name before then.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from pivgm.catalog import Catalog
from pivgm.catalog.published import PublishedData
from pivgm.platform import Platform

log = logging.getLogger(__name__)

Later = Callable[..., None]
"""Runs ``function(*arguments)``: at once (``right_away``, for commands) or after the answer is sent (a web
request's ``BackgroundTasks.add_task``)."""


def right_away(function: Callable[..., object], *arguments: object) -> None:
    function(*arguments)


def prepare_profiles(platform: Platform, at: datetime | None = None) -> int:
    """Every region country's profile pages for the releases in force at ``at`` (now by default) unless
    ``PIVGM_WARM_PROFILES`` is off; how many were computed here (those kept already are not). A failure is
    logged, never raised: the publication stands, and the first request computes what is missing."""
    if not platform.settings.warm_profiles:
        return 0
    from pivgm.web.profile_store import prepare  # the pages are formatted by the web layer

    seen = platform if at is None or at <= platform.clock() else replace(platform, clock=lambda: at)
    started = time.perf_counter()
    try:
        computed = prepare(Catalog(PublishedData(seen)))
    except Exception:
        log.exception("country profiles were not computed after the publication")
        return 0
    log.info("country profiles of %d countries computed in %.1f s", computed, time.perf_counter() - started)
    return computed
