"""The temporary Prefect server of one `qareview run`: started by us, and dying with us.

Without ``PREFECT_API_URL`` Prefect starts a temporary API server in a subprocess and stops
it at exit; a ``kill -9`` of the run skips that and leaves the server running forever. Here
the same server (Prefect's ``SubprocessASGIServer``) is started through a small launcher
that, on Linux, asks the kernel to SIGKILL it when its parent dies
(``prctl(PR_SET_PDEATHSIG)``, kept across ``exec``) before it becomes the server. The run
talks to it through ``PREFECT_API_URL``::

    with temporary_server() as server:
        ...  # other start-up work while the server starts
        with server.ready():
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
import threading
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


class StartingServer:
    """A temporary server starting in the background; :meth:`wait` waits for it."""

    def __init__(self) -> None:
        # Imported here, not in the thread: two threads importing the same modules at once can
        # see each other's half-initialised modules.
        self.server: Any = _server_class()()
        self._error: BaseException | None = None
        self._started, self._released = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._start, name="prefect-server", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            self.server.start()  # launches the process, then polls its health endpoint
        except BaseException as exc:  # re-raised by wait() in the caller's thread
            self._error = exc
        self._started.set()
        # The kernel's parent-death signal fires when the thread that started the process ends,
        # not the process: this thread lives until the server is stopped.
        self._released.wait()

    def wait(self) -> str:
        """The API URL once the server answers; its start-up error if it failed."""
        self._started.wait()
        if self._error is not None:
            raise self._error
        return self.server.api_url

    def stop(self) -> None:
        """Stop the server (after its start has finished, whichever way)."""
        self._started.wait()
        try:
            self.server.stop()
        finally:
            self._released.set()
            self._thread.join()


class ServerHandle:
    """What :func:`temporary_server` yields: enter :meth:`ready` around the work that needs the API."""

    def __init__(self, starting: StartingServer | None) -> None:
        self._starting = starting

    def wait(self) -> str | None:
        """The API URL once the server answers (None: nothing was started); its start-up error."""
        return None if self._starting is None else self._starting.wait()

    @contextmanager
    def ready(self) -> Iterator[str | None]:
        """Wait for the server, then point Prefect at it for the body (None: nothing was started)."""
        if self._starting is None:
            yield None
            return
        from prefect.settings import PREFECT_API_URL, temporary_settings

        url = self.wait()
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url


@contextmanager
def temporary_server() -> Iterator[ServerHandle]:
    """Start a temporary Prefect server that dies with this process; it starts in the background.

    The server takes seconds to answer, in its own process: do the run's other start-up work
    (imports, checks) in the body, then enter ``handle.ready()`` around the work that talks to
    Prefect. Nothing is started when ``PREFECT_API_URL`` is set or the system cannot tie the
    server's life to ours (Prefect's own temporary server is used then)::

        with temporary_server() as server:
            from flows.nightly import nightly_review
            with server.ready():
                nightly_review(...)
    """
    from prefect.settings import PREFECT_API_URL

    starting = None if PREFECT_API_URL.value() or not dies_with_parent_supported() else StartingServer()
    try:
        yield ServerHandle(starting)
    finally:
        if starting is not None:
            starting.stop()
