"""Import every reader module so that each registers itself; import this before ``readers()``.

A reader is one module in this package that calls ``register(Reader(...))`` at import: adding
a file is all it takes. Modules whose names start with ``_`` (shared helpers) and ``base``
/ ``all`` are not readers; they are imported only when a reader needs them.
"""

from __future__ import annotations

import importlib
import pkgutil

import transcripts.readers as _package
from transcripts.readers.base import readers

_NOT_READERS = frozenset({"all", "base"})


def _import_readers() -> None:
    for module in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
        if module.name.startswith("_") or module.name in _NOT_READERS:
            continue
        importlib.import_module(f"{_package.__name__}.{module.name}")


_import_readers()

__all__ = ["readers"]
