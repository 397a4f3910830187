"""`qareview run`'s temporary Prefect server dies with the run, even when the run is SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from flows.prefect_server import dies_with_parent_supported

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not dies_with_parent_supported(), reason="needs Linux prctl(PR_SET_PDEATHSIG)"),
]


def _servers(under: psutil.Process) -> list[psutil.Process]:
    """Prefect API servers (uvicorn running Prefect's app) among ``under``'s descendants."""
    found = []
    for child in under.children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "uvicorn" in command and "prefect.server.api.server:create_app" in command:
            found.append(child)
    return found


def test_the_temporary_server_dies_with_a_killed_run(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")} | {
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PYTHONPATH": str(REPO),
    }
    run = subprocess.Popen(
        [sys.executable, "-m", "qareview.cli", "run", str(REPO / "examples"),
         "--db", str(tmp_path / "q.duckdb"), "--out", str(tmp_path / "out")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    parent = psutil.Process(run.pid)
    servers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 240
        while not servers and time.monotonic() < deadline and run.poll() is None:
            servers = _servers(parent)
            time.sleep(0.2)
        assert servers, "the run never started a temporary Prefect server"
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=10)
        gone, alive = psutil.wait_procs(servers, timeout=5)
        assert alive == [], f"orphaned Prefect server(s): {[p.pid for p in alive]}"
    finally:
        if run.poll() is None:
            run.kill()
        for orphan in servers:  # reparented if the test failed: never leave one behind
            if orphan.is_running():
                orphan.kill()


def test_a_server_that_does_not_answer_in_time_fails_the_run_in_one_line(tmp_path: Path) -> None:
    home = str(tmp_path / "prefect")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")} | {
        "PREFECT_HOME": home,
        "PYTHONPATH": str(REPO),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "qareview.cli", "run", str(REPO / "examples"),
         "--db", str(tmp_path / "q.duckdb"), "--out", str(tmp_path / "out")],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("error: the temporary Prefect server did not start: RuntimeError: Timed out")
    ), done.stderr
    time.sleep(1)
    left = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if "prefect.server.api.server:create_app" in " ".join(process.info["cmdline"] or []):
                if process.environ().get("PREFECT_HOME") == home:
                    left.append(process)
        except psutil.Error:
            continue
    assert left == [], f"server(s) left running: {[p.pid for p in left]}"
