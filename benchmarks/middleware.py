"""``python -m benchmarks middleware``: what each middleware costs a request
that no cache answers, counted in instructions.

In one process under callgrind, with the benchmark's settings, the static
row's request (fixed bytes from a view: ``/bench/static.json``) is sent
through Django's WSGI handler built with the project's whole ``MIDDLEWARE``,
with none, with only Django's and the libraries' (as the benchmark's
``django_libraries`` ceiling row serves it), and with each middleware left
out in turn. A middleware's cost is what the request costs less without
it. Counts, not times: the same for the same code whatever else the
machine is doing. The request is anonymous and makes no query, so the
database is an empty scratch file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .counting import callgrind_prefix, counted_window, total_instructions
from .runtime import ROOT, base_env

PATH = "/bench/static.json"
#: The project's own packages; the rest of the middleware is Django's and
#: the libraries'.
OURS = ("reviews", "bookclub")
LIBRARIES = "only Django's and the libraries' (none of the club's)"


def main(args) -> int:
    with tempfile.TemporaryDirectory(prefix="bookclub-middleware-") as workdir:
        work = Path(workdir)
        log, out = work / "callgrind.out", work / "counted.json"
        env = base_env(f"sqlite:///{work / 'empty.sqlite3'}") | {
            "BENCH_CALLGRIND_OUT": str(log),
            "PYTHONHASHSEED": "0",
        }
        command = [
            "-m",
            "benchmarks.middleware",
            str(args.requests),
            args.path,
            str(out),
        ]
        subprocess.run(
            [*callgrind_prefix(log), sys.executable, *command],
            cwd=ROOT,
            env=env,
            check=True,
            stderr=subprocess.DEVNULL,
            timeout=3600,
        )
        counted = json.loads(out.read_text())
    _print_table(counted, args.requests, args.path)
    return 0


def _print_table(counted: dict[str, dict], requests: int, path: str) -> None:
    whole = counted["all"]["instructions"] / requests
    print(f"\n`{path}`, {requests} requests a line, instructions per request\n")
    print("| middleware | without it | its cost |")
    print("|---|---|---|")
    for name, row in counted.items():
        if row["status"] != "200 OK":
            print(f"| {name} | the request fails ({row['status']}) | — |")
            continue
        each = row["instructions"] / requests
        cost = "—" if name == "all" else f"{(whole - each) / 1000:,.0f} k"
        if name == LIBRARIES:
            cost = f"the club's: {cost}"
        print(f"| {name} | {each / 1000:,.0f} k | {cost} |")


def measure(requests: int, path: str, out: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    from .profile import _environ

    everything = list(settings.MIDDLEWARE)
    variants = {"all": everything, "none": []}
    # What the ceiling row django_libraries serves (bookclub.settings.bench).
    variants[LIBRARIES] = [m for m in everything if m.split(".")[0] not in OURS]
    variants |= {name: [m for m in everything if m != name] for name in everything}
    counted: dict[str, dict] = {}
    for name, middleware in variants.items():
        statuses: list[str] = []
        with override_settings(MIDDLEWARE=middleware):
            handler = WSGIHandler()

            def one(handler=handler, statuses=statuses) -> None:
                def start_response(status, headers, exc_info=None):
                    statuses.append(status)

                body = handler(_environ(path), start_response)
                try:
                    for _chunk in body:
                        pass
                finally:
                    body.close()

            for _ in range(20):  # warm: imports, the route, compiled patterns
                one()

            def run(one=one) -> None:
                for _ in range(requests):
                    one()

            dump = counted_window(run)
        counted[name] = {
            "instructions": total_instructions(Path(dump)),
            "status": statuses[-1],
        }
    out.write_text(json.dumps(counted, indent=2))


if __name__ == "__main__":
    measure(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
