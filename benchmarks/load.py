"""What one load run measured (benchmarks/wrk.py drives the load)."""

from __future__ import annotations

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
