"""The temporary Prefect server of one `qareview run`: started by us, and dying with us.

Without ``PREFECT_API_URL`` Prefect starts a temporary API server in a subprocess and stops
it at exit; a ``kill -9`` of the run skips that and leaves the server running forever. Here
the same server (Prefect's ``SubprocessASGIServer``) is started through a small launcher
that, on Linux, asks the kernel to SIGKILL it when its parent dies
(``prctl(PR_SET_PDEATHSIG)``, kept across ``exec``) before it becomes the server. The run
talks to it through ``PREFECT_API_URL``::

    with temporary_server():
        nightly_review(...)

When ``PREFECT_API_URL`` is already set (a real server, or the test harness's) nothing is
started. On other systems the server is stopped at exit as Prefect does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Run by the server's process before it becomes the server: die with the parent (the run),
# and at once if the parent is already gone (it died between fork and prctl).
_LAUNCHER = """\
import ctypes, ctypes.util, os, signal, sys
parent = int(sys.argv[1])
libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
PR_SET_PDEATHSIG = 1
if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0 or os.getppid() != parent:
    os._exit(1)
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


def dies_with_parent_supported() -> bool:
    """Whether the kernel can kill the server when the run dies (Linux ``prctl``)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    return hasattr(libc, "prctl")


def _server_class() -> type:
    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class ChildServer(SubprocessASGIServer):
        """Prefect's temporary server (same command and settings), started through the launcher."""

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            env = {
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
            }
            uvicorn = [
                "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
                "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
                "--port", str(self.port), "--log-level", "error", "--lifespan", "on",
            ]  # fmt: skip
            return subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(os.getpid()), *uvicorn], env=env)

    return ChildServer


@contextmanager
def temporary_server() -> Iterator[str | None]:
    """Run the body against a temporary Prefect server that dies with this process.

    Yields the API URL, or None when ``PREFECT_API_URL`` is set or the system cannot tie
    the server's life to ours (Prefect's own temporary server is used then).
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value() or not dies_with_parent_supported():
        yield None
        return
    server = _server_class()()
    server.start()
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        server.stop()
