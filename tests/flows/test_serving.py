"""`qareview serve`: the deployment it registers, the server that schedules it, and a served run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.local_server import free_port, is_healthy
from flows.runners import DASK_ADDRESS_ENV, DASK_WORKERS_ENV, describe_runner, runner_from_env
from flows.serving import NightlyParameters, nightly_deployment, use_dask_for_served_runs

pytestmark = pytest.mark.prefect
REPO_ROOT = Path(__file__).resolve().parents[2]


def test_default_schedule_is_two_am_berlin() -> None:
    deployment = nightly_deployment(NightlyParameters(source="/data/exports"))
    [schedule] = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "Europe/Berlin")
    assert deployment.name == "nightly"
    assert deployment.entrypoint == "flows.nightly.nightly_review"
    assert deployment.parameters == {
        "source": "/data/exports",
        "db": "out/qareview.duckdb",
        "out": "out",
        "full": False,
    }


def test_deployment_is_registered_with_the_api(flow_env: None, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client

    parameters = NightlyParameters(source=str(tmp_path / "inbox"), db=str(tmp_path / "q.db"), batch_size=50)
    deployment = nightly_deployment(parameters, cron="30 1 * * 1-5", timezone="America/New_York", name="wd")
    deployment_id = deployment.apply()
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment_id)
    assert stored.name == "wd"
    [schedule] = stored.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 1 * * 1-5", "America/New_York")
    assert schedule.active
    assert stored.parameters["batch_size"] == 50 and stored.parameters["source"] == str(tmp_path / "inbox")
    assert "rubric" not in stored.parameters  # None keeps the flow's default


def test_served_runs_inherit_the_dask_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    # setenv records the variables' original state, so whatever serving sets is undone afterwards.
    monkeypatch.setenv(DASK_ADDRESS_ENV, "")
    monkeypatch.setenv(DASK_WORKERS_ENV, "")
    assert describe_runner(runner_from_env()).startswith("threads")
    use_dask_for_served_runs(None, 3)
    assert os.environ[DASK_WORKERS_ENV] == "3"
    assert describe_runner(runner_from_env()) == "dask (local, 3 workers)"
    use_dask_for_served_runs("tcp://scheduler:8786", None)
    assert describe_runner(runner_from_env()) == "dask (tcp://scheduler:8786)"
    monkeypatch.setenv(DASK_WORKERS_ENV, "two")
    with pytest.raises(ValueError, match=DASK_WORKERS_ENV):
        runner_from_env()


def test_the_server_scheduler_can_insert_scheduled_runs(flow_env: None, tmp_path: Path) -> None:
    """The database code Prefect's scheduler runs every loop works with the pinned SQLAlchemy.

    SQLAlchemy 2.1 breaks it (``Can't evaluate bulk DML statement``): the server then
    schedules nothing and every served deployment silently never runs.
    """
    import asyncio

    from prefect.server.database import provide_database_interface
    from prefect.server.models.deployments import schedule_runs

    deployment = nightly_deployment(NightlyParameters(source=str(tmp_path)), cron="*/5 * * * *", name="pin")
    deployment_id = deployment.apply()

    async def schedule() -> list[object]:
        db = provide_database_interface()
        async with db.session_context(begin_transaction=True) as session:
            return list(await schedule_runs(session=session, deployment_id=deployment_id, max_runs=3))

    assert len(asyncio.run(schedule())) == 3


def _cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a `qareview` child process: this checkout, a fresh Prefect home."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PREFECT_HOME": str(tmp_path / "prefect-home"),
           "PREFECT_UI_ENABLED": "false", **extra}  # fmt: skip
    env.pop("PREFECT_API_URL", None)
    return env | extra


_CLI = [sys.executable, "-c", "from qareview.cli import main; main()"]


def test_serve_refuses_a_server_that_does_not_answer(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port(0)}/api"
    done = subprocess.run(
        [*_CLI, "serve", str(REPO_ROOT / "examples" / "2026-11-15"), "--db", str(tmp_path / "q.duckdb")],
        env=_cli_env(tmp_path, PREFECT_API_URL=dead), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"error: PREFECT_API_URL={dead} does not answer" in done.stderr


@pytest.mark.slow
def test_serve_without_api_url_runs_the_schedule(tmp_path: Path) -> None:
    """`qareview serve` with no PREFECT_API_URL: a local server schedules a run, the run publishes.

    A sixth cron field counts seconds, so the first run is due at most 10 s after serving starts.
    """
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(REPO_ROOT / "examples" / "2026-11-15" / "call-notes.txt", inbox)
    out, port = tmp_path / "out", free_port(0)
    log = tmp_path / "serve.log"
    command = [*_CLI, "serve", str(inbox), "--db", str(tmp_path / "q.duckdb"), "--out", str(out),
               "--cron", "* * * * * */10"]  # fmt: skip
    with log.open("w") as sink:
        serving = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            env=_cli_env(tmp_path, PREFECT_SERVER_API_PORT=str(port)),
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not (out / "runs.html").exists():
            assert serving.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no scheduled run published within 300 s:\n{log.read_text()}"
            time.sleep(1)
        assert (out / "index.html").exists()
        assert is_healthy(f"http://127.0.0.1:{port}/api")
        serving.send_signal(signal.SIGTERM)
        assert serving.wait(timeout=90) == 0, log.read_text()
    finally:
        if serving.poll() is None:
            os.killpg(serving.pid, signal.SIGKILL)
    text = log.read_text()
    assert "No PREFECT_API_URL: starting a local Prefect server with its scheduler" in text
    assert f"Prefect server: http://127.0.0.1:{port}/api" in text
    assert not is_healthy(f"http://127.0.0.1:{port}/api")  # serve stopped the server it started
