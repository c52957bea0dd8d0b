"""Counting what code costs, for the benchmark's profile and rebuild measures.

- Instructions, counted by valgrind's callgrind in a window of our own
  (:func:`counted_window`, :func:`callgrind_prefix`, :func:`total_instructions`):
  the same count for the same work, whatever else the machine is doing.
- cProfile's own time summed by package (:func:`own_time_by_package`), and
  a report of it (:func:`cprofile_report`).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .runtime import ROOT

if TYPE_CHECKING:
    import pstats


#: The C function each measured stretch runs inside (see :func:`counted_window`):
#: callgrind counts only while it runs, and writes one file per call.
WINDOW = "qsort_r"


def callgrind_prefix(log: Path) -> list[str]:
    """valgrind's command line that counts instructions only inside
    :data:`WINDOW`, one file per measured stretch, named after ``log``."""
    return [
        "valgrind",
        "--tool=callgrind",
        "--collect-atstart=no",
        f"--toggle-collect={WINDOW}",
        f"--dump-after={WINDOW}",
        f"--callgrind-out-file={log}",
    ]


def total_instructions(log: Path) -> int:
    """The instructions callgrind counted in ``log``, one stretch's file."""
    match = re.search(r"^(?:summary|totals):\s*(\d+)", log.read_text(), re.M)
    if not match:
        raise RuntimeError(f"no instruction total in {log}")
    return int(match.group(1))


def counted_window(run: Callable[[], object]) -> str:
    """Run ``run()`` inside a call of the C library's ``qsort_r`` (a sort of
    two numbers whose comparison is ``run``): callgrind, told to count only
    inside it, counts exactly this, and writes it to a file of its own when
    it ends. Returns that file's path; refuses a stretch in which something
    else called ``qsort_r`` (it would have cut the count short)."""
    import ctypes
    import gc

    log = os.environ["BENCH_CALLGRIND_OUT"]

    def dumps() -> list[int]:
        return [int(path.suffix[1:]) for path in Path(log).parent.glob("*.out.*")]

    compare_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)

    def compare(_a, _b) -> int:
        run()
        return 0

    # A collection owed by the warm-up would land in the count.
    gc.collect()
    before = dumps()
    numbers = (ctypes.c_int * 2)(1, 2)
    libc = ctypes.CDLL(None)
    libc.qsort(numbers, 2, ctypes.sizeof(ctypes.c_int), compare_type(compare))
    new = sorted(set(dumps()) - set(before))
    if len(new) != 1:
        raise RuntimeError(f"{WINDOW} was called inside the measured requests")
    return f"{log}.{new[0]}"


def cprofile_report(
    run: Callable[[], object], *restrictions: str | int, title: str = ""
) -> tuple[float, str]:
    """``run()`` under cProfile: its own time in all (seconds), and a report:
    the 15 packages it spent most in, then ``title`` and the functions by
    their time in all, filtered as ``pstats`` filters (``restrictions``)."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_package = own_time_by_package(stats)
    total = sum(by_package.values()) or 1.0
    text = io.StringIO()
    for package, seconds in by_package.most_common(15):
        text.write(f"    {seconds / total:6.1%}  {package}\n")
    text.write(f"\n{title}\n" if title else "\n")
    stats.stream = text  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(*restrictions)
    return total, text.getvalue()


def own_time_by_package(stats: pstats.Stats) -> Counter[str]:
    """cProfile's own time (not counting callees) summed by package
    (:func:`package_of`)."""
    by_package: Counter[str] = Counter()
    raw: dict = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        by_package[package_of(filename)] += tottime
    return by_package


def package_of(filename: str) -> str:
    """The package a profiled function's file belongs to: Django's and
    Wagtail's by their sub-package, the project's by its folder."""
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins and C"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        after = parts[parts.index("site-packages") + 1 :]
        if after and after[0] in ("django", "wagtail") and len(after) > 2:
            return "/".join(after[:2]) if after[1] != "contrib" else "/".join(after[:3])
        return after[0] if after else filename
    try:
        relative = path.relative_to(ROOT)
    except ValueError:
        return "python stdlib"
    return str(relative.parent if len(relative.parts) > 1 else relative)
