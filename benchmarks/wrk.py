"""Load from wrk, a compiled HTTP client, so the client is not the ceiling.

Each run writes its paths to a file and a small Lua script that walks them:
in turn from a different place per thread (the hot set), or, for a
``fresh`` run, each path at most once across the whole run (client k of C
takes paths k, k + C, k + 2C, …). The script prints one JSON line at the
end: requests, seconds, the latency distribution, errors and how far the
busiest thread got. 127.0.0.1 only; bounded by ``--duration``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from .load import LOOPBACK, LoadResult

WRK = "wrk"

SCRIPT = r"""
local paths = {}
-- Globals, so that done() can read each thread's counter.
counter = 0
local threads = {}
local first = 0
local step = 1
local fresh = false

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  first = tonumber(args[2])
  step = tonumber(args[3])
  fresh = args[4] == "fresh"
  counter = 0
end

function request()
  local i
  if fresh then
    i = first + id + counter * step
  else
    i = first + id * 7 + counter
  end
  counter = counter + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function done(summary, latency, requests)
  local most = 0
  for _, thread in ipairs(threads) do
    local n = thread:get("counter") or 0
    if n > most then most = n end
  end
  local e = summary.errors
  -- The latency distribution as up to 1,000 quantiles, so rounds of the
  -- same row can be merged and any percentile read back.
  local points = math.min(summary.requests, 1000)
  local quantiles = {}
  for k = 1, points do
    local p = latency:percentile(100 * (k - 0.5) / points)
    quantiles[k] = string.format("%.6f", p / 1e6)
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "bad_status": %d, "socket_errors": %d, ' ..
    '"most_by_one_thread": %d, "latencies": [%s]}\n',
    summary.requests, summary.duration / 1e6, e.status,
    e.connect + e.read + e.write + e.timeout, most, table.concat(quantiles, ",")))
end
"""


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's package when it is missing
    and this is a root shell with apt (a CI container)."""
    found = shutil.which(WRK)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
        found = shutil.which(WRK)
    if not found:
        raise SystemExit("wrk is missing: apt-get install wrk")
    return found


def run_wrk(
    port: int,
    paths: list[str],
    *,
    concurrency: int = 8,
    seconds: float = 10.0,
    threads: int = 2,
    host: str = "127.0.0.1",
    fresh_from: int | None = None,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """``concurrency`` connections for ``seconds`` over ``paths``.

    With ``fresh_from``, no path repeats: requests take ``paths[fresh_from:]``
    in turn. wrk's threads each walk their own share, so the next unused
    path is ``fresh_from + concurrency * result.most_by_one_client``
    (conservatively: a thread's counter covers all its connections)."""
    if host not in LOOPBACK:
        raise ValueError("The load driver only targets this machine (127.0.0.1).")
    binary = ensure_wrk()
    threads = max(1, min(threads, concurrency))
    with tempfile.TemporaryDirectory(prefix="bookclub-wrk-") as tmp:
        path_file = Path(tmp) / "paths.txt"
        path_file.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "walk.lua"
        script.write_text(SCRIPT)
        mode = "fresh" if fresh_from is not None else "rotate"
        step = threads if fresh_from is not None else 1
        command = [
            binary,
            "-t",
            str(threads),
            "-c",
            str(concurrency),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "60s",
            "-s",
            str(script),
        ]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        command += [
            f"http://{host}:{port}/",
            "--",
            str(path_file),
            str(fresh_from or 0),
            str(step),
            mode,
        ]
        output = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 120, check=True
        ).stdout
    line = next(
        (line for line in reversed(output.splitlines()) if line.startswith("{")), None
    )
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    summary = json.loads(line)
    result = LoadResult(
        requests=summary["requests"],
        seconds=summary["seconds"],
        latencies=summary["latencies"],
        errors=summary["socket_errors"],
    )
    # wrk counts every status >= 400 as one "status" error, without the code.
    good = summary["requests"] - summary["bad_status"]
    result.statuses = Counter({200: good})
    if summary["bad_status"]:
        result.statuses[599] = summary["bad_status"]
    # How far the run got in a fresh rotation, in the load driver's terms
    # (next unused path = fresh_from + concurrency * most_by_one_client).
    most = summary["most_by_one_thread"]
    result.most_by_one_client = -(-most * threads // concurrency)
    return result
