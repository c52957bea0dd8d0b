"""The writes of the benchmark's mixed-load rows: one comment, one vote, one
RSVP and one publish a second, over HTTP like a member and an editor.

After each acknowledged publish and comment, an anonymous read through the
same address (the app, or Varnish in front of it) must already show it (the
edited summary in the API and on the page; one more in the discussion's
``comment_count``): anything older counts as a stale read, the issue's
"requests that served content older than a committed change".
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from .resilience import Browser, publish_form

KINDS = ("comment", "vote", "rsvp", "publish")


@dataclass
class WriteLog:
    statuses: Counter = field(default_factory=Counter)
    acknowledged: int = 0
    checked: int = 0
    stale: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def anonymous_get(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        return conn.getresponse().read()
    finally:
        conn.close()


class Writer:
    """Logs in once (outside what is measured); ``run(seconds)`` writes."""

    def __init__(self, port: int, club: dict) -> None:
        self.port = port
        self.club = club
        self.member = Browser(port)
        self.editor = Browser(port)
        if not (
            self.member.login(club["member"], club["password"])
            and self.editor.login(club["editor"], club["password"])
        ):
            raise RuntimeError("the benchmark's writers could not log in")
        self.log = WriteLog()
        self.count = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Writer:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=120)

    def _loop(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            for kind in KINDS:
                self._write(kind)
            self.count += 1
            next_at += 1.0
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def _post(self, browser: Browser, kind: str, path: str, form: dict) -> bool:
        form = form | {"csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")}
        start = time.perf_counter()
        status, headers, _ = browser.request("POST", path, form)
        if status == 0:  # a kept-alive connection the server had closed
            status, headers, _ = browser.request("POST", path, form)
        self.log.seconds.append(time.perf_counter() - start)
        self.log.statuses[f"{kind} {status}"] += 1
        ok = status == 302 and "/login/" not in headers.get("Location", "")
        self.log.acknowledged += ok
        return ok

    def _write(self, kind: str) -> None:
        club, n = self.club, self.count
        marker = f"{kind}-{n}-{uuid.uuid4().hex[:8]}"
        if kind == "comment":
            # The text of a comment about the whole book is hidden from a
            # reader who declared no progress; the count they see is not.
            discussion = club["discussions"][n % len(club["discussions"])]
            detail = f"/api/v2/pages/{discussion['id']}/"
            before = self._comment_count(detail)
            path = f"/club/discussions/{discussion['id']}/comments/"
            form = {"body": marker, "chapter": "", "parent": ""}
            if self._post(self.member, kind, path, form):
                self.log.checked += 1
                if self._comment_count(detail) <= before:
                    self.log.stale.append(detail)
        elif kind == "vote":
            nominations = club["nominations"]
            path = f"/club/next-book/{club['round']}/vote/"
            form = {"nomination": nominations[n % len(nominations)]}
            self._post(self.member, kind, path, form)
        elif kind == "rsvp":
            discussion = club["discussions"][n % len(club["discussions"])]
            path = f"/club/discussions/{discussion['id']}/rsvp/"
            answer = ("going", "maybe", "not_going")[n % 3]
            self._post(self.member, kind, path, {"answer": answer})
        else:
            review = club["reviews"][n % len(club["reviews"])]
            path = f"/admin/pages/{review['id']}/edit/"
            if self._post(self.editor, kind, path, publish_form(review, marker)):
                self._check(f"/api/v2/pages/{review['id']}/", marker)
                self._check(review["url"], marker)

    def _comment_count(self, path: str) -> int:
        try:
            return int(json.loads(anonymous_get(self.port, path))["comment_count"])
        except (ValueError, KeyError, TypeError):
            return -1

    def _check(self, path: str, marker: str) -> None:
        self.log.checked += 1
        if marker.encode() not in anonymous_get(self.port, path):
            self.log.stale.append(path)
