"""The club's WSGI application under gunicorn, and at ``/gc-state`` what the
worker's garbage collector holds (tests/production/test_gc_freeze.py)."""

from __future__ import annotations

import gc
import json
import sys

from bookclub.wsgi import application as club

#: Was the URLconf loaded with the application, before gunicorn's
#: post_worker_init ran? Read at import, which is before that hook.
URLCONF_LOADED_AT_START = "bookclub.urls" in sys.modules


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/gc-state":
        return club(environ, start_response)
    body = json.dumps(
        {
            "frozen": gc.get_freeze_count(),
            "tracked": len(gc.get_objects()),
            "urlconf_loaded_at_start": URLCONF_LOADED_AT_START,
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
