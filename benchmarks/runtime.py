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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, on 127.0.0.1."""

    def __init__(self, env: dict[str, str], workers: int = 2, log: Path | None = None):
        self.port = free_port()
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
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
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

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


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
