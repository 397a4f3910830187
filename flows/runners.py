"""Choosing the task runner: threads by default, Dask for scale-out.

    make_task_runner()                                   # ThreadPoolTaskRunner
    make_task_runner(dask_workers=2)                     # local Dask cluster, 2 processes
    make_task_runner(dask_address="tcp://sched:8786")    # an existing Dask cluster

The module-level flow takes its runner from the environment (:func:`runner_from_env`), so
a served or work-pool deployment scales out without code: ``QAREVIEW_DASK_ADDRESS`` names
a scheduler, ``QAREVIEW_DASK_WORKERS`` starts a local cluster of that many processes.

Each Dask worker process loads the spaCy model and the encoder once (see
``flows.batches``), so more workers mean more memory (~0.8 GB each) and fewer, larger
batches per worker mean less overhead.
"""

from __future__ import annotations

import logging
import os

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.config import FlowConfig, active_flow_config

DASK_ADDRESS_ENV = "QAREVIEW_DASK_ADDRESS"
DASK_WORKERS_ENV = "QAREVIEW_DASK_WORKERS"


def _quiet_dask() -> None:
    """Keep Dask's per-worker start/stop chatter out of the run log (warnings still show)."""
    import dask

    dask.config.set({"logging.distributed": "warning"})
    for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.WARNING)


def make_task_runner(
    dask_address: str | None = None,
    dask_workers: int | None = None,
    config: FlowConfig | None = None,
) -> TaskRunner:
    """The runner for one flow run.

    ``dask_address`` connects to a running scheduler; otherwise ``dask_workers`` (>0)
    starts a local cluster of that many single-threaded worker processes for the run;
    with neither, tasks run on threads in the flow's own process.
    """
    config = config or active_flow_config()
    if not dask_address and not dask_workers:
        return ThreadPoolTaskRunner(max_workers=config.threads)
    from prefect_dask import DaskTaskRunner

    _quiet_dask()
    if dask_address:
        return DaskTaskRunner(address=dask_address)
    if dask_workers is not None and dask_workers < 1:
        raise ValueError(f"--dask-workers must be at least 1, got {dask_workers}")
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": dask_workers,
            "threads_per_worker": config.dask.threads_per_worker,
            "processes": True,
            "dashboard_address": None,
        }
    )


def runner_from_env() -> TaskRunner:
    """The runner ``$QAREVIEW_DASK_ADDRESS`` / ``$QAREVIEW_DASK_WORKERS`` ask for (threads when unset)."""
    address = os.environ.get(DASK_ADDRESS_ENV) or None
    workers_text = os.environ.get(DASK_WORKERS_ENV, "").strip()
    try:
        workers = int(workers_text) if workers_text else None
    except ValueError:
        raise ValueError(f"{DASK_WORKERS_ENV} must be a whole number, got {workers_text!r}") from None
    return make_task_runner(dask_address=address, dask_workers=workers)


def describe_runner(runner: TaskRunner) -> str:
    """A short description for the run summary: ``threads (2)``, ``dask (local, 2 workers)``."""
    if isinstance(runner, ThreadPoolTaskRunner):
        return f"threads ({getattr(runner, '_max_workers', '?')})"
    address = getattr(runner, "address", None)
    if address and not getattr(runner, "cluster_kwargs", None):
        return f"dask ({address})"
    workers = (getattr(runner, "cluster_kwargs", None) or {}).get("n_workers")
    if workers is not None:
        return f"dask (local, {workers} workers)"
    return type(runner).__name__


def describe_current_runner() -> str:
    """Description of the task runner of the flow run in progress (``unknown`` outside one)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    return describe_runner(context.task_runner) if context is not None else "unknown"
