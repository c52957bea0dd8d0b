"""Production logs are JSON lines a collector can parse."""

from __future__ import annotations

import json
import logging
import sys

from django.test import RequestFactory

from bookclub.logging import JsonFormatter


def _record(name: str, msg: str, args=(), **extra) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_record_is_one_json_object_per_line():
    request = RequestFactory().get("/reviews/the-siege/")
    line = JsonFormatter().format(
        _record(
            "django.request",
            "Not Found: %s",
            ("/reviews/the-siege/",),
            request=request,
            status_code=404,
        )
    )
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "WARNING"
    assert data["logger"] == "django.request"
    assert data["message"] == "Not Found: /reviews/the-siege/"
    assert data["status_code"] == 404
    assert data["path"] == "/reviews/the-siege/"
    assert data["method"] == "GET"
    assert data["time"].endswith("+00:00")


def test_an_exception_is_kept_inside_the_json_line():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = _record("bookclub", "failed")
        record.exc_info = sys.exc_info()
    data = json.loads(JsonFormatter().format(record))
    assert "RuntimeError: boom" in data["exception"]


def test_gunicorn_access_records_become_fields():
    atoms = {"h": "127.0.0.1", "m": "GET", "U": "/api/v2/pages/", "q": "limit=20"}
    atoms |= {"s": "200", "B": "5120", "D": "2300", "a": 'curl "quoted"'}
    data = json.loads(
        JsonFormatter().format(_record("gunicorn.access", "%(h)s", (atoms,)))
    )
    assert data["status"] == 200
    assert data["path"] == "/api/v2/pages/"
    assert data["duration_us"] == 2300
    assert data["user_agent"] == 'curl "quoted"'
