"""Choosing the task runner: threads by default, Dask for scale-out.

    make_task_runner()                                   # ThreadPoolTaskRunner
    make_task_runner(dask_workers=2)                     # local Dask cluster, 2 processes
    make_task_runner(dask_address="tcp://sched:8786")    # an existing Dask cluster

Each Dask worker process loads the spaCy model and the encoder once (see
``flows.batches``), so more workers mean more memory (~0.5 GB each) and fewer, larger
batches per worker mean less overhead.
"""

from __future__ import annotations

import logging

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.config import FlowConfig, active_flow_config


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


def describe_runner(
    dask_address: str | None = None,
    dask_workers: int | None = None,
    config: FlowConfig | None = None,
) -> str:
    """How :func:`make_task_runner` runs tasks for these arguments, for the run summary."""
    config = config or active_flow_config()
    if dask_address:
        return f"dask ({dask_address})"
    if dask_workers:
        return f"dask (local, {dask_workers} workers)"
    return f"threads ({config.threads})"
