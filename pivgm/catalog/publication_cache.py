"""Answers computed from the releases in force, computed once per publication state.

A value is kept under the catalog's publication tag (``Catalog.publication_state``), which changes with every
release published (and an embargo ending, and every software version). A new release therefore makes every
kept value unreachable by construction: nothing has to be invalidated, and no stale answer can be served.
Only the ``size`` most recently used values are kept, so memory stays bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from pivgm.catalog.service import Catalog

V = TypeVar("V")


class PublicationCache(Generic[V]):
    """Values of ``compute()`` by key, for the releases in force when they were computed (thread safe)."""

    def __init__(self, catalog: Catalog, size: int) -> None:
        self.catalog = catalog
        self.size = size
        self._values: OrderedDict[tuple[str, Hashable], V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value for ``key`` under the releases in force now, computed at most once per publication
        (errors are not kept: a bad request is refused again, each time)."""
        full = (self.catalog.publication_state().tag, key)
        with self._lock:
            if full in self._values:
                self._values.move_to_end(full)
                return self._values[full]
        value = compute()
        with self._lock:
            self._values[full] = value
            self._values.move_to_end(full)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)
