"""The registry of writers: one function per format name, producing the response body in chunks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pivgm.sdmx.errors import NotAcceptableError

Writer = Callable[[Any], Iterable[bytes]]

WRITERS: dict[str, Writer] = {}


def writer(name: str) -> Callable[[Writer], Writer]:
    """Register the function as the writer of format ``name``."""

    def register(function: Writer) -> Writer:
        WRITERS[name] = function
        return function

    return register


def write(message: object, format_name: str) -> Iterable[bytes]:
    """The body of ``message`` in the format named ``format_name``."""
    function = WRITERS.get(format_name)
    if function is None:
        raise NotAcceptableError(f"No writer for the format {format_name!r}.")
    return function(message)
