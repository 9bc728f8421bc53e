"""Answers computed from the releases in force, computed once per publication state.

A value is kept under the catalog's publication tag (``Catalog.publication_state``), which changes with every
release published (and an embargo ending, and every software version). A new release therefore makes every
kept value unreachable by construction: nothing has to be invalidated, and no stale answer can be served.
Only the ``size`` most recently used values are kept, so memory stays bounded. A value being computed is
computed once: a second caller waits for it (a request for a profile the warm-up is computing, web/warming.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from pivgm.catalog.service import Catalog

V = TypeVar("V")
COMPUTED, KEPT = "computed", "kept"  # how a value was had: computed for this caller, or kept from before


class PublicationCache(Generic[V]):
    """Values of ``compute()`` by key, for the releases in force when they were computed (thread safe)."""

    def __init__(self, catalog: Catalog, size: int) -> None:
        self.catalog = catalog
        self.size = size
        self._values: OrderedDict[tuple[str, Hashable], tuple[V, str]] = OrderedDict()
        self._pending: dict[tuple[str, Hashable], threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value for ``key`` under the releases in force now, computed at most once per publication
        (errors are not kept: a bad request is refused again, each time)."""
        return self.traced(key, compute)[0]

    def traced(self, key: Hashable, compute: Callable[[], V], by: str = "request") -> tuple[V, str]:
        """The value, and how it was had: ``computed`` now, else ``kept:<by>`` (who computed it: a request,
        or the warm-up before anyone asked)."""
        full = (self.catalog.publication_state().tag, key)
        while True:
            with self._lock:
                if full in self._values:
                    self._values.move_to_end(full)
                    value, origin = self._values[full]
                    return value, f"{KEPT}:{origin}"
                running = self._pending.get(full)
                if running is None:
                    running = self._pending[full] = threading.Event()
                    break
            running.wait()  # another caller is computing it: its value, or (if it failed) compute it here
        try:
            value = compute()
            with self._lock:
                self._values[full] = (value, by)
                self._values.move_to_end(full)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
        finally:
            with self._lock:
                del self._pending[full]
            running.set()
        return value, COMPUTED

    def __len__(self) -> int:
        return len(self._values)
