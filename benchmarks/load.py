"""A bounded HTTP load driver: threads, each with its own keep-alive
``http.client`` connection, spread over a few processes so the driver's
own GIL is not what is measured. 127.0.0.1 only; every run stops at its
deadline or its request budget, whichever comes first."""

from __future__ import annotations

import http.client
import multiprocessing
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

LOOPBACK = ("127.0.0.1", "localhost")
MAX_REQUESTS = 500_000
#: Longer than gunicorn's worker timeout (30 s): a request the server gives up
#: on ends there, so no worker is still busy when the next endpoint starts.
CLIENT_TIMEOUT = 60


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


def _worker(
    host: str,
    port: int,
    paths: list[str],
    offset: int,
    deadline: float,
    budget: list[int],
    lock: threading.Lock,
    result: LoadResult,
    headers: dict[str, str],
    step: int = 1,
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=CLIENT_TIMEOUT)
    i = offset
    while time.monotonic() < deadline:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        path = paths[i % len(paths)]
        i += step
        result.most_by_one_client += 1
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            result.errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=CLIENT_TIMEOUT)
            continue
        result.latencies.append(time.perf_counter() - start)
        result.statuses[response.status] += 1
        result.requests += 1
    conn.close()


def _run_threads(
    host: str,
    port: int,
    paths: list[str],
    threads: int,
    seconds: float,
    max_requests: int,
    first_offset: int,
    headers: dict[str, str],
    fresh: tuple[int, int] | None = None,
) -> LoadResult:
    deadline = time.monotonic() + seconds
    budget = [max_requests]
    lock = threading.Lock()
    results = [LoadResult() for _ in range(threads)]
    started = time.perf_counter()
    if fresh:
        # Client k of all C takes paths k, k + C, k + 2C, ...: none repeats.
        clients = fresh[1]
        offsets, step = [first_offset + n for n in range(threads)], clients
    else:
        offsets, step = [first_offset + n * 7 for n in range(threads)], 1
    workers = [
        threading.Thread(
            target=_worker,
            args=(host, port, paths, offsets[n], deadline, budget, lock)
            + (results[n], headers, step),
        )
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    total = LoadResult()
    for part in results:
        total.merge(part)
    total.seconds = time.perf_counter() - started
    return total


def _process_entry(args: tuple) -> LoadResult:
    return _run_threads(*args)


def run_load(
    port: int,
    paths: list[str],
    *,
    concurrency: int = 8,
    seconds: float = 10.0,
    processes: int = 2,
    max_requests: int = MAX_REQUESTS,
    host: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    fresh_from: int | None = None,
) -> LoadResult:
    """``concurrency`` clients for ``seconds``, split over ``processes``.

    With ``fresh_from``, no two requests share a path: they take
    ``paths[fresh_from:]`` in turn; continue from
    ``fresh_from + concurrency * result.most_by_one_client``."""
    if host not in LOOPBACK:
        raise ValueError("The load driver only targets this machine (127.0.0.1).")
    processes = max(1, min(processes, concurrency))
    shares = [concurrency // processes] * processes
    for n in range(concurrency % processes):
        shares[n] += 1
    jobs = [
        (
            host,
            port,
            paths,
            share,
            seconds,
            max_requests // processes,
            n * 13 if fresh_from is None else fresh_from + sum(shares[:n]),
            headers or {},
            None if fresh_from is None else (fresh_from, concurrency),
        )
        for n, share in enumerate(shares)
    ]
    if processes == 1:
        return _process_entry(jobs[0])
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        parts = pool.map(_process_entry, jobs)
    total = LoadResult()
    for part in parts:
        total.merge(part)
    return total
