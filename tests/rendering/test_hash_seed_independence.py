"""Every published file is byte-identical whatever ``PYTHONHASHSEED`` is (timestamps aside).

Set and dict-of-set iteration order changes with the hash seed; anything that lets it reach
an output (a label picked from a set, ties broken by iteration order) shows up here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS = ("0", "1", "4242")
# The page footer's "generated 2026-12-04 21:40 UTC" is the only thing allowed to differ.
_GENERATED_AT = re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
_PUBLISH = (
    "import sys\n"
    "from rendering.publish import publish\n"
    "from storage.store import Store\n"
    "with Store(sys.argv[1], read_only=True) as store:\n"
    "    publish(store, None, None, sys.argv[2])\n"
)

pytestmark = [pytest.mark.models, pytest.mark.slow]


def publish_with_seed(db: Path, out: Path, seed: str) -> dict[str, bytes]:
    """Publish ``db`` into ``out`` in a fresh interpreter with ``PYTHONHASHSEED=seed``; the files' bytes."""
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", _PUBLISH, str(db), str(out)], check=True, env=env, timeout=600)
    return {
        str(p.relative_to(out)): _GENERATED_AT.sub(b"<generated>", p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_outputs_do_not_depend_on_the_hash_seed(synthetic_db: Path, tmp_path: Path) -> None:
    runs = [publish_with_seed(synthetic_db, tmp_path / f"seed-{seed}", seed) for seed in SEEDS]
    first = runs[0]
    assert "routing/systemic_issues.csv" in first and any(name.startswith("cards/") for name in first)
    for seed, other in zip(SEEDS[1:], runs[1:], strict=True):
        assert sorted(other) == sorted(first), f"PYTHONHASHSEED={seed} wrote other files"
        differing = [name for name in first if other[name] != first[name]]
        assert differing == [], f"PYTHONHASHSEED={seed} changed {differing}"
