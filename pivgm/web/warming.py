"""The region's country profiles computed after each publication, off the request path, so that the first
view of a profile after a publication is as fast as the next ones.

Each worker runs one low-priority thread: when the releases in force change (a publication, an embargo
ending) or the worker starts, it computes every region country's profile and formats its page in both
languages, into the same caches requests read (``PublicationCache``: a request for a profile being computed
waits for it instead of computing it again). It reads through the public catalog, the releases in force
only, so it can hold nothing a visitor could not see.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from functools import partial

from starlette.datastructures import State

from pivgm.web.i18n import LANGUAGES
from pivgm.web.profile_page import country_page
from pivgm.web.public import pages_of, site_of

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5  # how often the thread looks for a new publication (workers see one within a second)
WARMED = "warm-up"


def warm(state: State) -> int:
    """Every region country's profile and pages for the releases in force now; how many countries."""
    site, pages = site_of(state), pages_of(state)
    region, _ = site.countries()
    for country in region:
        profile = site.country(country.id, WARMED)
        for language in LANGUAGES:
            pages.traced((country.id, language), partial(country_page, profile, language), WARMED)
    return len(region)


def _run(state: State, stop: threading.Event) -> None:
    with contextlib.suppress(OSError, AttributeError):  # Linux: this thread alone yields to requests
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    warmed = None
    while not stop.is_set():
        try:
            tag = state.catalog.publication_state().tag
            if tag != warmed:
                warmed = tag  # tried once per publication: after a failure, requests compute what is missing
                started = time.perf_counter()
                count = warm(state)
                log.info("country profiles of %d countries computed in %.1f s", count, time.perf_counter() - started)
        except Exception:  # a failure here must not stop the worker
            log.exception("country profiles were not computed in advance")
        stop.wait(POLL_SECONDS)


def start_warming(state: State) -> threading.Event:
    """Start the worker's warm-up thread; setting the returned event stops it."""
    stop = threading.Event()
    threading.Thread(target=_run, args=(state, stop), name="pivgm-profile-warmup", daemon=True).start()
    return stop
