"""Running ``nightly_review`` on a schedule: a Prefect deployment served by this process.

    deployment = nightly_deployment(NightlyParameters(source="/data/exports"), cron="0 2 * * *")
    serve_deployment(deployment)          # blocks; runs the flow at 02:00 Europe/Berlin

The deployment points at the flow by module path (``flows.nightly.nightly_review``), so
each scheduled run starts a fresh process that imports the installed package. Dask
options travel as environment variables of this process (see ``flows.runners``), which
the runs inherit. Teams with work pools use ``prefect.yaml`` instead.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from flows.config import active_flow_config
from flows.nightly import nightly_review
from flows.runners import DASK_ADDRESS_ENV, DASK_WORKERS_ENV


@dataclass(frozen=True)
class NightlyParameters:
    """The flow parameters a deployment runs with (None leaves the flow's default)."""

    source: str = "examples"
    db: str = "out/qareview.duckdb"
    out: str = "out"
    full: bool = False
    rubric: str | None = None
    batch_size: int | None = None
    period_days: int | None = None

    def as_parameters(self) -> dict[str, Any]:
        """Parameters for Prefect, leaving out the ones that keep the flow's default."""
        return {name: value for name, value in asdict(self).items() if value is not None}


def nightly_deployment(
    parameters: NightlyParameters,
    cron: str | None = None,
    timezone: str | None = None,
    name: str | None = None,
) -> RunnerDeployment:
    """A deployment of ``nightly_review`` with a cron schedule (defaults from ``flows/nightly.yaml``)."""
    schedule = active_flow_config().schedule
    return nightly_review.to_deployment(
        name=name or schedule.deployment,
        schedules=[Cron(cron or schedule.cron, timezone=timezone or schedule.timezone)],
        parameters=parameters.as_parameters(),
        description="qareview: review new transcripts, publish coaching cards and the routing report.",
        tags=["qareview"],
        entrypoint_type=EntrypointType.MODULE_PATH,
        concurrency_limit=1,  # one writer per store: never two nightly runs at once
    )


def use_dask_for_served_runs(dask_address: str | None, dask_workers: int | None) -> None:
    """Make the runs this process serves use Dask (they inherit the environment)."""
    if dask_address:
        os.environ[DASK_ADDRESS_ENV] = dask_address
    if dask_workers:
        os.environ[DASK_WORKERS_ENV] = str(dask_workers)


def serve_deployment(deployment: RunnerDeployment) -> None:
    """Register the deployment with the Prefect API and run its schedule until interrupted."""
    from prefect import serve

    serve(deployment)
