"""Each API operation's fuzz test is a test of its own, under ``make test``.

pytest-xdist hands tests to its workers by node id. When every operation of a
schemathesis test shared one node id (schemathesis 4 under pytest 9.2),
``make test`` and CI ran one operation per fuzz test and reported the rest as
never collected, without a failure (``tests/conftest.py``,
``pytest_itemcollected``)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from reviews.api.v2_openapi import v2_openapi

ROOT = Path(__file__).resolve().parents[2]
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


def test_every_operation_of_a_fuzz_test_has_its_own_node_id():
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "tests/api/test_fuzz_v2.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    fuzz_ids = [line for line in collected if "::test_no_server_errors_" in line]
    operations = {
        f"{method.upper()} {path}"
        for path, item in v2_openapi()["paths"].items()
        for method in item
        if method in METHODS
    }

    assert [node_id for node_id, n in Counter(fuzz_ids).items() if n > 1] == []
    for role in ("anonymous", "for_a_member"):
        assert {
            node_id.partition("[")[2].removesuffix("]")
            for node_id in fuzz_ids
            if f"::test_no_server_errors_{role}[" in node_id
        } == operations
