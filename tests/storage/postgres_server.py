"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, start, stop.

Uses Debian's ``postgresql`` package (``/usr/lib/postgresql/<version>/bin``), or the folder
in ``QAREVIEW_PG_BIN``, or ``pg_ctl`` on the PATH. PostgreSQL refuses to run as root, so as
root the cluster belongs to the ``postgres`` user (or ``nobody``) and runs through ``runuser``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class ServerUnavailableError(RuntimeError):
    """No PostgreSQL binaries here, or no user to run them as."""


def find_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None."""
    override = os.environ.get("QAREVIEW_PG_BIN")
    if override:
        return Path(override) if (Path(override) / "pg_ctl").exists() else None
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    return None


def _runner() -> tuple[list[str], str | None]:
    """The command prefix that runs the server's programs, and the user to own its files (as root)."""
    if os.geteuid() != 0:
        return [], None
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        if shutil.which("runuser"):
            return ["runuser", "-u", user, "--"], user
    raise ServerUnavailableError("running as root without a 'postgres' or 'nobody' user and runuser")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PgServer:
    """A running throwaway cluster reachable on 127.0.0.1:``port`` as ``postgres`` (trust auth)."""

    bin: Path
    root: Path
    port: int
    prefix: list[str]

    @property
    def data(self) -> Path:
        """The cluster's data folder."""
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """A connection URL for ``database``."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create the empty database ``name``, sorting text by ICU's English rules where the server
        has ICU (a store must not depend on the database's collation); its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            try:
                con.execute(
                    f"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
                )
            except psycopg.Error:
                con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove its files."""
        subprocess.run(
            [*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PgServer:
    """initdb a cluster in a new temporary folder and start it; ``ServerUnavailableError`` if impossible."""
    bin_dir = find_bin()
    if bin_dir is None:
        raise ServerUnavailableError("no PostgreSQL binaries (install Debian's postgresql package)")
    prefix, owner = _runner()
    root = Path(tempfile.mkdtemp(prefix="qareview-pg-"))
    if owner is not None:
        shutil.chown(root, user=owner)
    server = PgServer(bin_dir, root, _free_port(), prefix)
    options = (
        f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    steps = [
        [str(bin_dir / "initdb"), "-D", str(server.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
         "--no-locale", "--no-sync"],
        [str(bin_dir / "pg_ctl"), "-D", str(server.data), "-l", str(root / "server.log"), "-w", "-t", "60",
         "-o", options, "start"],
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run([*prefix, *step], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = root / "server.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            server.stop()
            raise RuntimeError(f"{' '.join(step[:1])} failed: {done.stderr or done.stdout}\n{detail}")
    return server
