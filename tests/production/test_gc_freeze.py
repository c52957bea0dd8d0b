"""A gunicorn worker takes what it loaded at start out of the garbage
collector's passes (gunicorn.conf.py's post_worker_init)."""

from __future__ import annotations

import json
import urllib.request

from benchmarks.runtime import Gunicorn
from tests.production.helpers import production_env


def test_a_worker_freezes_the_club_it_loaded(tmp_path):
    server = Gunicorn(
        production_env(),
        workers=1,
        log=tmp_path / "gunicorn.log",
        app="tests.production.gc_app:application",
    )
    server.start(ready_path="/gc-state")
    try:
        with urllib.request.urlopen(server.url("/gc-state"), timeout=10) as answer:  # noqa: S310
            state = json.loads(answer.read())
    finally:
        server.stop()
    assert state["urlconf_loaded_at_start"] is True
    # Django, Wagtail and the club: far more objects than one request leaves.
    assert state["frozen"] > 100_000
    assert state["tracked"] < state["frozen"] / 10
