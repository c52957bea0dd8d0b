"""The physical limit: a bare WSGI application returning the same bytes as
the benchmark's static row, served by the same gunicorn with the same
settings (``gunicorn -c gunicorn.conf.py benchmarks.bare:application``).
No Django, no middleware: what gunicorn and the machine can do at best."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable


def _blob() -> bytes:
    path = os.environ.get("BENCH_BLOB_PATH", "")
    if path and os.path.exists(path):
        with open(path, "rb") as blob:
            return blob.read()
    return b'{"meta": {"total_count": 0}, "items": []}'


BLOB = _blob()
HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(BLOB))),
]


def application(
    environ: dict, start_response: Callable[[str, list[tuple[str, str]]], object]
) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BLOB]
