"""A real local Prefect server, with its scheduler, kept alive for as long as ``qareview serve`` runs.

Prefect's temporary ("ephemeral") server, the one it starts when ``PREFECT_API_URL`` is
unset, runs no services: nothing ever turns a deployment's schedule into flow runs. So
``qareview serve`` without ``PREFECT_API_URL`` starts ``prefect server start`` as a child
process instead and points itself (and the runs it starts) at it::

    with LocalPrefectServer(home=Path(".prefect")) as server:
        print(server.api_url)      # http://127.0.0.1:4200/api
        ...                        # serve deployments; the server is restarted if it dies

The server keeps run history in ``PREFECT_HOME`` (its SQLite database), so the runs of
earlier ``serve`` sessions stay visible in its UI. Its log goes to a file there, not to the
console.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

DEFAULT_PORT = 4200
LOG_NAME = "qareview-local-server.log"
_WATCH_SECONDS = 5.0


class LocalServerError(RuntimeError):
    """The local Prefect server did not start (the message names its log file)."""


def free_port(preferred: int = DEFAULT_PORT, host: str = "127.0.0.1") -> int:
    """``preferred`` when nothing listens there, else a port the system picks."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise LocalServerError(f"no free TCP port on {host}")


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when the Prefect API at ``api_url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class LocalPrefectServer:
    """``prefect server start`` (API, UI, scheduler) on 127.0.0.1, restarted whenever it exits."""

    def __init__(self, home: Path, port: int | None = None, startup_timeout: float = 120.0) -> None:
        self.home = home
        self.port = port or free_port()
        self.startup_timeout = startup_timeout
        self.log_path = home / LOG_NAME
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        """The ``PREFECT_API_URL`` of this server."""
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        """Where the Prefect UI (runs, schedules, artifacts) is."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalPrefectServer:
        self.home.mkdir(parents=True, exist_ok=True)
        self._start()
        self._watcher = threading.Thread(target=self._watch, name="prefect-server-watch", daemon=True)
        self._watcher.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(timeout=_WATCH_SECONDS * 2)
        self._stop()

    def _start(self) -> None:
        env = {**os.environ, "PREFECT_HOME": str(self.home)}
        env.pop("PREFECT_API_URL", None)
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                   "--port", str(self.port), "--scheduler"]  # fmt: skip
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, start_new_session=True,  # its own process group: stopped as a whole
            )  # fmt: skip
        deadline = time.monotonic() + self.startup_timeout
        while not is_healthy(self.api_url):
            if self._process.poll() is not None:
                raise LocalServerError(
                    f"the local Prefect server exited with code {self._process.returncode}; "
                    f"see {self.log_path}"
                )
            if time.monotonic() > deadline:
                self._stop()
                raise LocalServerError(
                    f"the local Prefect server did not answer within {self.startup_timeout:.0f} s; "
                    f"see {self.log_path}"
                )
            time.sleep(0.5)

    def _watch(self) -> None:
        """Restart the server if it exits while serve is running."""
        while not self._stopping.wait(_WATCH_SECONDS):
            process = self._process
            if process is not None and process.poll() is not None and not self._stopping.is_set():
                self.restarts += 1
                print(
                    f"the local Prefect server exited (code {process.returncode}); restarting it "
                    f"(log: {self.log_path})",
                    file=sys.stderr,
                )
                try:
                    self._start()
                except LocalServerError as exc:
                    print(f"error: {exc}", file=sys.stderr)

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
