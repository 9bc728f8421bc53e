"""A PIVGM web server in a subprocess on a free loopback port, for SDMX clients that speak real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pivgm.platform import Platform
from tests.live import serving


@contextmanager
def live_server(platform: Platform) -> Iterator[str]:
    """Serve ``platform``'s data directory; yields the SDMX REST entry point; stops the server after."""
    with serving(platform.settings) as base:
        yield f"{base}/sdmx/rest"
