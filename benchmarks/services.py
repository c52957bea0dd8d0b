"""Private services the resilience runs stop and start: a redis-server and a
PostgreSQL cluster of their own, never the shared ones."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from .runtime import free_port

# -- private services --------------------------------------------------------


class PrivateRedis:
    """A redis-server of the script's own (port 6390 or a free one)."""

    def __init__(self) -> None:
        self.port = 6390 if _port_is_free(6390) else free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in a temp dir (port 5440 or a free
    one), started with the server binaries of the installed PostgreSQL."""

    def __init__(self, workdir: Path) -> None:
        self.bindir = _postgres_bindir()
        self.port = 5440 if _port_is_free(5440) else free_port()
        self.datadir = workdir / "pgdata"
        self.logfile = workdir / "postgres.log"
        self.workdir = workdir

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/bookclub_resilience"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def init(self) -> None:
        if os.geteuid() == 0:
            # The postgres user must reach the data directory inside our temp dir.
            for parent in (self.workdir.parent.parent, self.workdir.parent):
                parent.chmod(0o755)
            shutil.chown(self.workdir, "postgres")
        self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "-A", "trust")
        self.start()
        self._run(
            "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "bookclub_resilience",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(self.logfile),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")


def _postgres_bindir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if candidates:
        return candidates[-1].parent
    found = shutil.which("pg_ctl")
    if not found:
        raise SystemExit("PostgreSQL server binaries (pg_ctl, initdb) are needed.")
    return Path(found).parent


def _port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _port_is_free(port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")
