"""glibc's arenas are capped for the `qareview` process and what it starts; an operator's setting wins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.heap import _libc

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(_libc() is None, reason="the C library is not glibc")

# Runs `qareview --help` in-process (main() exits), then a child process reports what it inherited.
_CHILD_SEES = """
import atexit, os, subprocess, sys
atexit.register(lambda: print(subprocess.run(
    [sys.executable, "-c", "import os; print(os.environ.get('MALLOC_ARENA_MAX'))"],
    capture_output=True, text=True, check=True).stdout.strip()))
sys.argv = ["qareview", "--help"]
from qareview.cli import main
main()
"""

_CAP = "from flows.heap import limit_arenas; print(limit_arenas())"


def _run(code: str, arenas: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    env["PYTHONPATH"] = str(ROOT)
    if arenas is not None:
        env["MALLOC_ARENA_MAX"] = arenas
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


def test_the_command_caps_arenas_for_the_processes_it_starts() -> None:
    assert _run(_CHILD_SEES, None)[-1] == "2"


def test_an_operators_setting_is_kept() -> None:
    assert _run(_CHILD_SEES, "6")[-1] == "6"
    assert _run(_CAP, "6") == ["6"]


def test_the_cap_is_applied_to_the_calling_process() -> None:
    assert _run(_CAP, None) == ["2"]
    assert _run(_CAP, "0") == ["2"]  # 0 is glibc's "no cap given": the default applies
