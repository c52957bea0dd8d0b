"""Scratch databases, gunicorn and machine facts for the benchmark and the
resilience scripts. Everything binds to 127.0.0.1 and is stopped by pid."""

from __future__ import annotations

import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "bookclub.settings.bench"


_HANDED_OUT: set[int] = set()


def free_port(first: int = 0, last: int = 0) -> int:
    """A port nobody listens on, from ``first``..``last`` when given (and
    free), else any the system offers; never one this process handed out
    before (a server may not have bound it yet)."""
    for port in [*range(first, last + 1), 0] if first else [0, 0, 0]:
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port
    raise OSError("no free port")


def port_range(variable: str) -> tuple[int, int]:
    """``FIRST-LAST`` from the environment (e.g. BOOKCLUB_APP_PORTS=8200-8249),
    or (0, 0): any free port."""
    first, _, last = os.environ.get(variable, "").partition("-")
    try:
        return int(first), int(last or first)
    except ValueError:
        return 0, 0


def base_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
        "PYTHONWARNINGS": "ignore::UserWarning",
    }
    env |= extra
    return env


# -- scratch databases -------------------------------------------------------


def scratch_postgres_url(url: str) -> str:
    """Refuse any database whose name does not say it is a scratch one."""
    name = urlsplit(url).path.lstrip("/")
    if not any(word in name for word in ("bench", "scratch", "resilience")):
        raise SystemExit(
            f"Refusing to use database {name!r}: the benchmark drops and recreates "
            "it. Point DATABASE_URL at a scratch database, e.g. …/bookclub_bench."
        )
    return url


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(scratch_postgres_url(url))
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(scratch_postgres_url(url))
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def postgres_version(url: str) -> str:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# -- gunicorn ----------------------------------------------------------------


class Server:
    """A server subprocess on 127.0.0.1, stopped by its pid."""

    port: int
    process: subprocess.Popen | None = None

    def start(self):
        raise NotImplementedError

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Gunicorn(Server):
    """gunicorn with the project's gunicorn.conf.py, on 127.0.0.1."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int = 2,
        log: Path | None = None,
        *,
        app: str | None = None,
        port: int | None = None,
    ):
        #: Another WSGI application under the same gunicorn settings (the
        #: benchmark's bare baseline); None: the club.
        self.app = app
        self.port = port or free_port(*port_range("BOOKCLUB_APP_PORTS"))
        self.env = env | {
            "WEB_CONCURRENCY": str(workers),
            "BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_LOG_LEVEL": "warning",
            "LOG_FORMAT": "json",
        }
        self.env.pop("ACCESS_LOG", None)
        self.log_path = log
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str = "/bench/static.json", timeout: float = 90):
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            + ([self.app] if self.app else []),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode})")
            try:
                with urllib.request.urlopen(self.url(ready_path), timeout=5) as r:  # noqa: S310
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not become ready")


def run_django(
    args: list[str], env: dict[str, str], timeout: float = 1800
) -> subprocess.CompletedProcess:
    """Run ``python <args>`` in the project with ``env``, streaming its output."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, timeout=timeout, check=True
    )


# -- the machine -------------------------------------------------------------


def machine_facts(postgres_url: str | None = None) -> dict[str, str | int]:
    import django
    import gunicorn
    import wagtail

    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(meminfo.readline().split()[1])
            memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    facts: dict[str, str | int] = {
        "nproc": os.cpu_count() or 0,
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "gunicorn": gunicorn.__version__,
        "sqlite": sqlite3.sqlite_version,
    }
    if postgres_url:
        facts["postgresql"] = postgres_version(postgres_url)
    return facts


# -- Varnish -----------------------------------------------------------------

VCL = ROOT / "deploy" / "varnish" / "bookclub.vcl"
VARNISHD = "/usr/sbin/varnishd"


class Varnish(Server):
    """``varnishd`` with the project's VCL in front of ``backends`` (ports of
    app nodes on 127.0.0.1), in the foreground, with a private work
    directory: no root, no system daemon, stopped by pid."""

    def __init__(
        self,
        backends: list[int],
        workdir: Path,
        *,
        memory: str = "256m",
        purgers: tuple[str, ...] = ("127.0.0.1",),
    ):
        self.backends = backends
        self.purgers = purgers
        self.workdir = workdir
        self.memory = memory
        self.port = free_port(*port_range("BOOKCLUB_EDGE_PORTS"))
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        vmods = Path("/usr/lib/x86_64-linux-gnu/varnish/vmods")
        return os.access(VARNISHD, os.X_OK) and (
            not vmods.is_dir() or (vmods / "libvmod_xkey.so").exists()
        )

    def backends_vcl(self) -> str:
        lines = ["import directors;", ""]
        for n, port in enumerate(self.backends):
            lines.append(
                f'backend node{n} {{ .host = "127.0.0.1"; .port = "{port}"; '
                ".first_byte_timeout = 60s; }"
            )
        allowed = " ".join(f'"{address}";' for address in self.purgers)
        lines += ["", f"acl purgers {{ {allowed} }}", "", "sub vcl_init {"]
        lines.append("    new app = directors.round_robin();")
        lines += [f"    app.add_backend(node{n});" for n in range(len(self.backends))]
        lines.append("}")
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 60) -> Varnish:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "backends.vcl").write_text(self.backends_vcl())
        log = open(self.workdir / "varnishd.log", "ab")
        self.process = subprocess.Popen(
            [
                VARNISHD,
                "-F",
                "-n",
                str(self.workdir / "state"),
                "-a",
                f"127.0.0.1:{self.port}",
                "-T",
                "none",
                # Stay the user who started it: a root CI would otherwise
                # compile the VCL as an unprivileged user that cannot read
                # a private temp dir.
                "-j",
                "none",
                "-f",
                str(VCL),
                "-p",
                f"vcl_path={self.workdir}:{VCL.parent}:/usr/share/varnish/vcl",
                "-s",
                f"malloc,{self.memory}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = (self.workdir / "varnishd.log").read_text(errors="replace")
                raise RuntimeError(f"varnishd exited:\n{output[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("varnishd did not start listening")
