"""Running ``nightly_review`` on a schedule: a Prefect deployment served by this process.

    deployment = nightly_deployment(NightlyParameters(source="/data/exports"), cron="0 2 * * *")
    serve_deployment(deployment)          # blocks; runs the flow at 02:00 Europe/Berlin

The deployment points at the flow by module path (``flows.nightly.nightly_review``), so
each scheduled run starts a fresh process that imports the installed package. Dask
options travel as environment variables of this process (see ``flows.runners``), which
the runs inherit. Teams with work pools use ``prefect.yaml`` instead.

Schedules fire only where a Prefect server runs its scheduler service. With
``PREFECT_API_URL`` set, that is the team's server (refused with a clear message when it
does not answer); without it, ``serve_deployment`` starts a real local server
(``flows.local_server``) and keeps it alive for as long as it serves.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.runner import Runner
from prefect.schedules import Cron

from flows.config import active_flow_config
from flows.local_server import DEFAULT_PORT, LocalPrefectServer, LocalServerError, free_port, is_healthy
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


class ServerUnavailableError(RuntimeError):
    """``PREFECT_API_URL`` names a server that does not answer, or the local one did not start."""


@contextmanager
def scheduling_server(announce: Callable[[str], None]) -> Iterator[str]:
    """Yield the API URL of a Prefect server whose scheduler turns schedules into runs.

    The team's server when ``PREFECT_API_URL`` is set; otherwise a local one started here
    (port 4200, or a free one when that is taken), stopped when the block ends.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME, PREFECT_SERVER_API_PORT, temporary_settings

    configured = PREFECT_API_URL.value()
    if configured:
        if not is_healthy(configured, timeout=10):
            raise ServerUnavailableError(
                f"PREFECT_API_URL={configured} does not answer; start that Prefect server, or unset "
                "PREFECT_API_URL to let qareview serve run a local one"
            )
        announce(f"Prefect server: {configured} (from PREFECT_API_URL)")
        yield configured
        return
    home = Path(PREFECT_HOME.value()).expanduser().resolve()
    port = free_port(PREFECT_SERVER_API_PORT.value() or DEFAULT_PORT)
    announce(f"No PREFECT_API_URL: starting a local Prefect server with its scheduler (log: {home})")
    with ExitStack() as stack:
        try:
            server = stack.enter_context(LocalPrefectServer(home, port))
        except LocalServerError as exc:
            raise ServerUnavailableError(str(exc)) from None
        stack.callback(os.environ.pop, "PREFECT_API_URL", None)
        os.environ["PREFECT_API_URL"] = server.api_url  # the flow-run processes inherit it
        stack.enter_context(temporary_settings(updates={PREFECT_API_URL: server.api_url}))
        announce(f"Prefect server: {server.api_url} (UI and run history at {server.ui_url})")
        yield server.api_url


def serve_deployment(deployment: RunnerDeployment, announce: Callable[[str], None] = print) -> None:
    """Register the deployment with a scheduling Prefect server and run its schedule until stopped.

    Ctrl-C and SIGTERM (systemd, containers) both stop it cleanly: the schedule is paused and
    a local server started here is stopped.
    """
    with scheduling_server(announce):
        runner = _Runner(pause_on_shutdown=True)
        runner.add_deployment(deployment)
        announce(
            f"Serving {deployment.flow_name}/{deployment.name} on {describe_schedules(deployment)}; "
            "Ctrl-C stops it (and pauses the schedule)"
        )
        try:
            asyncio.run(runner.start())
        except KeyboardInterrupt:
            announce("stopped")


class _Runner(Runner):
    """Prefect's runner, stopping on SIGTERM as it does on Ctrl-C.

    (Prefect 3.8.8's own SIGTERM handler leaves the process hanging on an un-awaited stop.)
    """

    def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
        """Unwind like Ctrl-C, so every ``with`` block (the local server) is closed."""
        raise KeyboardInterrupt


def describe_schedules(deployment: RunnerDeployment) -> str:
    """``cron "0 2 * * *" (Europe/Berlin)`` for each of the deployment's schedules."""
    parts = []
    for entry in deployment.schedules or []:
        schedule = entry.schedule
        cron = getattr(schedule, "cron", None)
        parts.append(f'cron "{cron}" ({schedule.timezone})' if cron else str(schedule))
    return ", ".join(parts) or "no schedule"
