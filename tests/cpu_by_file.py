"""``--cpu-by-file N``: the N test files that took the most CPU.

``--durations`` measures wall time, and on a machine shared with other work
the wall time measures that work too. This counts user and system CPU of the
test process and of the servers it started and waited for (``RUSAGE_CHILDREN``
counts a child once it has ended and been reaped: servers stopped by a
module's fixture count in that module's last teardown), per phase of each
test, and sums it by file. A session fixture's set-up (the test database)
counts in the first test that asks for it, as in ``--durations``; collection
counts nowhere. Under pytest-xdist each worker measures its own tests and
sends the figures to the controller with the test reports.
"""

from __future__ import annotations

import resource
from collections import defaultdict
from collections.abc import Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-by-file",
        type=int,
        metavar="N",
        help="List the N test files that took the most CPU (user + sys of the "
        "test process and of the servers it started and stopped), set-ups and "
        "teardowns included; 0 lists them all.",
    )


def cpu_seconds() -> float:
    """User and system CPU of this process and of its children that ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measured(item: pytest.Item, when: str) -> Iterator[None]:
    if item.config.getoption("cpu_by_file") is None:
        yield
        return
    start = cpu_seconds()
    try:
        yield
    finally:
        # The phase's report copies the item's user_properties.
        item.user_properties.append((f"cpu_{when}", cpu_seconds() - start))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    yield from _measured(item, "setup")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    yield from _measured(item, "call")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    yield from _measured(item, "teardown")


#: Seconds of CPU by test file: every phase, and the set-ups and teardowns.
_BY_FILE: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, seconds in report.user_properties:
        if name == f"cpu_{report.when}":
            row = _BY_FILE[report.nodeid.split("::", 1)[0]]
            row[0] += seconds
            if report.when != "call":
                row[1] += seconds


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    limit = config.getoption("cpu_by_file")
    if limit is None or not _BY_FILE:
        return
    terminalreporter.write_sep(
        "=", "CPU by file: seconds in all, in set-up and teardown"
    )
    ranked = sorted(_BY_FILE.items(), key=lambda row: -row[1][0])
    for path, (total, fixtures) in ranked[: limit or None]:
        terminalreporter.write_line(f"{total:8.2f} {fixtures:8.2f}  {path}")
    total = sum(row[0] for row in _BY_FILE.values())
    fixtures = sum(row[1] for row in _BY_FILE.values())
    terminalreporter.write_line(f"{total:8.2f} {fixtures:8.2f}  in all")
