"""The benchmark report's arithmetic and text: ratios against the baselines,
the targets each run is held to, and the Markdown tables."""

from __future__ import annotations


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def add_ratios(runs: list[dict]) -> None:
    """Each row against the baselines of its own run, and the largest
    size's p50 against the smallest's."""
    for run in runs:
        by_kind = {row["kind"]: row for row in run["endpoints"]}
        stock = by_kind.get("stock", {}).get("rps")
        static = by_kind.get("static", {}).get("rps")
        bare = by_kind.get("bare", {}).get("rps")
        for row in run["endpoints"]:
            if "rps" not in row:
                continue
            row["vs_stock"] = round(row["rps"] / stock, 2) if stock else None
            row["vs_static"] = round(row["rps"] / static, 4) if static else None
            row["vs_bare"] = round(row["rps"] / bare, 4) if bare else None
        run["targets"] = targets(run)
    if len(runs) > 1:
        small = {row["key"]: row for row in runs[0]["endpoints"]}
        for row in runs[-1]["endpoints"]:
            before = small.get(row["key"], {}).get("p50_ms")
            if before and row.get("p50_ms"):
                row["p50_vs_smallest"] = round(row["p50_ms"] / before, 2)


#: The issue's targets: (what, numerator row, denominator row, how, target).
#: "ratio" rows compare req/s; "p99" reads one row's p99 in ms.
TARGETS = (
    ("static bytes through Django vs bare WSGI", "static", "bare", "≥", 0.60),
    ("cached hot list (v2) vs bare WSGI", "v2_list", "bare", "≥", 0.50),
    (
        "long tail v2, warm, vs stock v2 detail",
        "tail_v2_warm",
        "stock_v2_detail",
        "≥",
        10,
    ),
    (
        "long tail v3, warm, vs stock v2 detail",
        "tail_v3_warm",
        "stock_v2_detail",
        "≥",
        10,
    ),
    (
        "long tail v2, cold, vs stock v2 detail",
        "tail_v2_cold",
        "stock_v2_detail",
        "≥",
        2,
    ),
    (
        "long tail v3, cold, vs stock v2 detail",
        "tail_v3_cold",
        "stock_v2_detail",
        "≥",
        2,
    ),
    ("hot set under writes vs without", "hot_writes", "hot", "≥", 0.80),
    ("p99 of the mixed load (ms)", "hot_writes", "", "<", 100),
    ("hot set through Varnish vs bare WSGI", "edge_hot", "bare", "≥", 0.80),
    ("stale reads after a committed write", "", "", "=", 0),
)


def targets(run: dict) -> list[dict]:
    rows = {row["key"]: row for row in run["endpoints"] if "rps" in row}
    out = []
    for what, top, bottom, how, goal in TARGETS:
        value: float | None = None
        if how == "=":
            stale = [r["written"]["stale"] for r in rows.values() if "written" in r]
            value = sum(stale) if stale else None
        elif how == "<":
            value = rows.get(top, {}).get("p99_ms")
        elif top in rows and bottom in rows and rows[bottom]["rps"]:
            value = rows[top]["rps"] / rows[bottom]["rps"]
        met = None
        if value is not None:
            met = {"≥": value >= goal, "<": value < goal, "=": value == goal}[how]
        out.append(
            {"what": what, "value": value, "target": f"{how} {goal:g}", "met": met}
        )
    return out


def format_targets(run: dict) -> str:
    judged = run.get("targets", [])
    heading = f"\nTargets (issue 15), {run['reviews']:,} reviews, this run"
    if run.get("check"):
        # One request at a time measures no throughput: of the targets, only
        # the stale reads after a write mean anything in a check run.
        heading += " (a check run: ratios not judged)"
        judged = [t for t in judged if t["target"].startswith("=")]
    lines = [heading + ":"]
    for target in judged:
        value = target["value"]
        if value is None:
            shown = "n/a"
        elif "ms" in target["what"] or target["target"].startswith("="):
            shown = f"{value:g}"
        else:
            # Shown in the target's own terms: a multiple, or a share.
            multiple = float(target["target"].split()[1]) >= 2
            shown = f"{value:.2f}×" if multiple else f"{value * 100:.0f}%"
        verdict = {True: "met", False: "MISSED", None: "n/a"}[target["met"]]
        goal = target["target"]
        if not ("ms" in target["what"] or goal.startswith("=")):
            number = float(goal.split()[1])
            goal = goal.split()[0] + (
                f" {number:g}×" if number >= 2 else f" {number * 100:.0f}%"
            )
        lines.append(f"  {target['what']:<44}{shown:>10}   target {goal:<8} {verdict}")
    return "\n".join(lines)


def format_table(database: str, version: str, runs: list[dict]) -> str:
    lines = []
    for run in runs:
        seeded = run["timings"].get("seed_total", 0)
        lines.append(
            f"\n{database} {version}: {run['reviews']:,} reviews "
            f"(seeded in {seeded:.1f} s)"
        )
        scaling = len(runs) > 1 and run is runs[-1]
        header = (
            f"{'endpoint':<46}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'errors':>8}{'queries':>9}{'×stock':>10}{'%static':>9}{'%bare':>8}"
        )
        if scaling:
            header += f"{'p50/' + _short(runs[0]['reviews']):>9}"
        lines.append(header)
        lines.append("-" * len(header))
        for row in run["endpoints"]:
            if "rps" not in row:
                lines.append(f"{row['label']:<46}{'n/a':>9}")
                continue
            queries = f"{row.get('queries_cold', row['queries'])}/{row['queries']}"
            line = (
                f"{row['label']:<46}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}"
                f"{row['p99_ms']:>9.1f}{row['errors']:>8}{queries:>9}"
                f"{_ratio(row.get('vs_stock')):>10}{_percent(row.get('vs_static')):>9}"
                f"{_percent(row.get('vs_bare')):>8}"
            )
            if scaling:
                line += f"{_ratio(row.get('p50_vs_smallest')):>9}"
            lines.append(line)
        lines.append(format_targets(run))
    return "\n".join(lines)


def _short(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}×"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"
