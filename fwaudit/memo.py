"""Per-process memory of per-file results, keyed by content.

A batch worker audits image after image; the busybox, libcrypto or web UI it saw in one
image is often byte-identical in the next (same vendor, next firmware version). Results that
depend only on a file's bytes (ELF facts, YARA findings, endpoint sightings) are kept here by
sha256, so such files are analysed once per worker. Evidence paths are re-attached by the
callers; entries are evicted least recently used.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_ENTRIES = 20_000


class ContentMemo(Generic[T]):
    """A bounded least-recently-used map from a content key to a computed result."""

    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self.entries = entries
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The remembered result for `key`, else `compute()` remembered."""
        if key in self._items:
            self._items.move_to_end(key)
            self.hits += 1
            return self._items[key]
        self.misses += 1
        value = compute()
        self._items[key] = value
        if len(self._items) > self.entries:
            self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
