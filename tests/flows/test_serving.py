"""`qareview serve`: the deployment it registers (schedule, time zone, parameters, Dask env)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.runners import DASK_ADDRESS_ENV, DASK_WORKERS_ENV, describe_runner, runner_from_env
from flows.serving import NightlyParameters, nightly_deployment, use_dask_for_served_runs

pytestmark = pytest.mark.prefect


def test_default_schedule_is_two_am_berlin() -> None:
    deployment = nightly_deployment(NightlyParameters(source="/data/exports"))
    [schedule] = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "Europe/Berlin")
    assert deployment.name == "nightly"
    assert deployment.entrypoint == "flows.nightly.nightly_review"
    assert deployment.parameters == {
        "source": "/data/exports", "db": "out/qareview.duckdb", "out": "out", "full": False
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
