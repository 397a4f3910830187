"""Keep the process's heap close to what it uses: fewer glibc arenas, and freed pages returned.

A batch's parses, embeddings and rows are freed when it is done, but glibc keeps the freed
pages in its arenas (one per thread, up to eight per core), and the next batch's allocations
land elsewhere: the process's RSS crept up batch after batch (0.96 to 1.22 GB over nine
batches of 200, while the memory in use grew by 0.02 GB; docs/performance.md). Trimming after
each batch (:func:`trim_heap`) keeps RSS near what is in use; capping the arenas
(:func:`limit_arenas`, at start-up) stops the store's writes and the analysis threads from
pinning each other's half-empty pages (6,000 conversations analysed and stored: 1.06 →
0.94 GB). Elsewhere than glibc (macOS, musl) both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache
from typing import Any

ARENAS_ENV = "MALLOC_ARENA_MAX"  # glibc's own variable: set by the operator, it wins
DEFAULT_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt parameter number in glibc's malloc.h


@cache
def _libc() -> Any | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if libc is None or not hasattr(libc, "malloc_trim") or not hasattr(libc, "mallopt"):
        return None  # not glibc
    return libc


def trim_heap() -> bool:
    """Return free heap pages to the operating system; False where the C library cannot."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def limit_arenas(default: int = DEFAULT_ARENAS) -> int | None:
    """Cap glibc's malloc arenas for this process and the processes it starts.

    Call it first thing, before threads start. ``$MALLOC_ARENA_MAX`` set by the operator is
    kept (glibc applied it when this process started); otherwise it is set to ``default``
    for child processes (the Prefect server, Dask workers, flow runs of ``qareview serve``)
    and applied to this process with ``mallopt``. Returns the cap in force, None where the C
    library is not glibc.
    """
    libc = _libc()
    if libc is None:
        return None
    given = os.environ.get(ARENAS_ENV, "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    os.environ[ARENAS_ENV] = str(default)
    if libc.mallopt(_M_ARENA_MAX, default) != 1:
        return None
    return default
