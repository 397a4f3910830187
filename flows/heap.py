"""Give the heap memory a batch freed back to the operating system (glibc's ``malloc_trim``).

A batch's parses, embeddings and rows are freed when it is done, but glibc keeps the freed
pages in its arenas (one per thread), and the next batch's allocations land elsewhere: the
process's RSS crept up batch after batch (0.96 to 1.22 GB over nine batches of 200, while
the memory in use grew by 0.02 GB; docs/performance.md). Trimming after each batch keeps RSS
at what is in use. Elsewhere than glibc (macOS, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any


@cache
def _malloc_trim() -> Any | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # no C library by that name, or not glibc
        return None


def trim_heap() -> bool:
    """Return free heap pages to the operating system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
