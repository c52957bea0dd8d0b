"""What one load run measured (benchmarks/wrk.py drives the load), and the
plain client of the benchmark's check form (``--requests``)."""

from __future__ import annotations

import http.client
import time
from collections import Counter
from dataclasses import dataclass, field

LOOPBACK = ("127.0.0.1", "localhost")


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    #: Requests sent by the busiest client (a fresh rotation's advance).
    most_by_one_client: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def failures(self) -> int:
        """Connection errors plus every response that was not 2xx/3xx."""
        bad = sum(n for status, n in self.statuses.items() if status >= 400)
        return self.errors + bad

    def merge(self, other: LoadResult) -> None:
        self.requests += other.requests
        self.seconds = max(self.seconds, other.seconds)
        self.latencies.extend(other.latencies)
        self.statuses.update(other.statuses)
        self.errors += other.errors
        self.most_by_one_client = max(self.most_by_one_client, other.most_by_one_client)


def run_requests(
    port: int,
    paths: list[str],
    count: int,
    *,
    fresh_from: int | None = None,
    host: str = "127.0.0.1",
) -> LoadResult:
    """``count`` GETs, one after another on one kept-alive connection, over
    ``paths`` in turn (with ``fresh_from``, each path once, from there):
    whether a row answers, and with what, not how fast. CI's smoke run
    checks every row this way; wrk's load (benchmarks/wrk.py) is for the
    figures."""
    if host not in LOOPBACK:
        raise ValueError("The load driver only targets this machine (127.0.0.1).")
    if fresh_from is None:
        chosen = [paths[i % len(paths)] for i in range(count)] if paths else []
    else:
        chosen = paths[fresh_from : fresh_from + count]
    result = LoadResult(most_by_one_client=len(chosen))
    conn = http.client.HTTPConnection(host, port, timeout=60)
    started = time.perf_counter()
    try:
        for path in chosen:
            sent = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": host})
                response = conn.getresponse()
                response.read()
                result.statuses[response.status] += 1
            except (OSError, http.client.HTTPException):
                result.errors += 1
                conn.close()
            result.latencies.append(time.perf_counter() - sent)
            result.requests += 1
    finally:
        conn.close()
    result.seconds = time.perf_counter() - started
    return result
