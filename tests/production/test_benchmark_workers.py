"""``benchmarks workers`` sums gunicorn's access lines by kind: the hot set's
cached answers apart from its rebuilds, each write, the other reads."""

from __future__ import annotations

from benchmarks.workers import (
    MISSES,
    SLOW_MS,
    account,
    misses,
    report,
    report_misses,
)

HOT = ("/", "/api/v3/reviews/?limit=20")

LINES = [
    "GET /? 200 800",
    "GET /? 200 45000",
    "GET /api/v3/reviews/?limit=20 200 700",
    "POST /admin/pages/123/edit/? 302 160000",
    "POST /club/discussions/45/comments/? 302 25000",
    "GET /api/v2/pages/123/? 200 19000",
    "GET /api/v2/pages/678/? 200 21000",
    "GET /reviews/on-hope-review-12/? 200 33000",
    "GET /reviews/on-frost-review-9/? 200 31000",
    "[2026-12-06 05:00:00 +0000] [42] [INFO] Booting worker with pid: 42",
]


def test_requests_are_summed_by_kind():
    result = account(LINES, HOT)
    kinds = {
        name: (kind.requests, round(kind.seconds, 4))
        for name, kind in result.kinds.items()
    }
    assert kinds == {
        "hot fast: /": (1, 0.0008),
        "hot slow: /": (1, 0.045),
        "hot fast: /api/v3/reviews/?limit=20": (1, 0.0007),
        "POST /admin/pages/N/edit/": (1, 0.16),
        "POST /club/discussions/N/comments/": (1, 0.025),
        "GET /api/vN/pages/N/": (2, 0.04),
        "GET /reviews/…/": (2, 0.064),
    }
    assert result.kinds["GET /api/vN/pages/N/"].slowest_ms == 21.0
    assert round(result.seconds, 4) == 0.3355


def test_slow_is_a_rebuild_or_a_wait():
    assert SLOW_MS * 1000 > 800
    result = account([f"GET /? 200 {int(SLOW_MS * 1000)}"], HOT)
    assert list(result.kinds) == ["hot slow: /"]


def test_the_report_gives_each_kind_its_share():
    text = report("With the writes", account(LINES, HOT), seconds=1, workers=2)
    assert text.startswith("With the writes: 0.3 worker-seconds in 1 s (17% of 2")
    assert "| POST /admin/pages/N/edit/ | 1 | 0.16 | 47.7% | 160.00 | 160.0 |" in text


def test_misses_tell_rebuilds_from_waits():
    """The servers' log says, for each miss of a hot URL's shared copy,
    whether the request built it or took the copy another built."""
    server_log = [
        '{"level": "DEBUG", "message": "shared copy built", "path": "/"}',
        '{"level": "DEBUG", "message": "shared copy taken from another build",'
        ' "path": "/"}',
        '{"level": "DEBUG", "message": "shared copy built", "path": "/"}',
        '{"level": "DEBUG", "message": "shared copy built",'
        ' "path": "/api/v3/reviews/?limit=20"}',
        '{"level": "DEBUG", "message": "late copy served during another build",'
        ' "path": "/api/v3/reviews/?limit=20"}',
        '{"level": "DEBUG", "message": "shared copy built", "path": "/elsewhere/"}',
        '{"level": "WARNING", "message": "something else", "path": "/"}',
        "[2026-12-06 05:00:00 +0000] [42] [INFO] Booting worker with pid: 42",
        "[1, 2]",
    ]
    counted = misses(server_log, HOT)
    assert counted == {
        ("/", "built"): 2,
        ("/", "took another's"): 1,
        ("/api/v3/reviews/?limit=20", "built"): 1,
        ("/api/v3/reviews/?limit=20", "served late"): 1,
    }
    table = report_misses(counted, HOT)
    assert "| / | 2 | 1 | 0 |" in table
    assert "| /api/v3/reviews/?limit=20 | 1 | 0 | 1 |" in table


def test_the_misses_counted_are_the_ones_the_server_logs():
    from reviews.response_cache import middleware

    assert set(MISSES) == {middleware.BUILT, middleware.TAKEN, middleware.LATE}
