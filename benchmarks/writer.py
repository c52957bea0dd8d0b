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
from collections.abc import Callable
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


@dataclass(frozen=True)
class Read:
    """An anonymous read: what came back, and the edge's word on where from."""

    status: int
    body: bytes
    #: ``X-Cache`` (Varnish: hit, miss or pass) and ``Age``, where sent.
    edge: str = ""

    def describe(self) -> str:
        return f"{self.status} {self.edge}".strip()


def anonymous_get(port: int, path: str) -> Read:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        edge = " ".join(
            f"{name}={response.getheader(name)}"
            for name in ("X-Cache", "Age")
            if response.getheader(name) is not None
        )
        return Read(response.status, response.read(), edge)
    finally:
        conn.close()


def write_request(
    kind: str,
    n: int,
    marker: str,
    *,
    discussion: int,
    round_id: int,
    nominations: list[int],
    review: dict,
) -> tuple[str, dict]:
    """The path and form of the ``n``-th write of ``kind`` (one of
    :data:`KINDS`), as a member's form or the admin's edit view posts it;
    ``marker`` is the text it writes. ``review``: ``id``, ``title``,
    ``slug``, ``book`` and ``reviewer`` of the review a publish edits."""
    if kind == "comment":
        form: dict = {"body": marker, "chapter": "", "parent": ""}
        return f"/club/discussions/{discussion}/comments/", form
    if kind == "vote":
        form = {"nomination": nominations[n % len(nominations)]}
        return f"/club/next-book/{round_id}/vote/", form
    if kind == "rsvp":
        form = {"answer": ("going", "maybe", "not_going")[n % 3]}
        return f"/club/discussions/{discussion}/rsvp/", form
    if kind == "publish":
        return f"/admin/pages/{review['id']}/edit/", publish_form(review, marker)
    raise ValueError(f"unknown write {kind!r}")


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
        discussion = club["discussions"][n % len(club["discussions"])]
        review = club["reviews"][n % len(club["reviews"])]
        path, form = write_request(
            kind,
            n,
            marker,
            discussion=discussion["id"],
            round_id=club["round"],
            nominations=club["nominations"],
            review=review,
        )
        if kind == "comment":
            # The text of a comment about the whole book is hidden from a
            # reader who declared no progress; the count they see is not.
            detail = f"/api/v2/pages/{discussion['id']}/"
            before = self._comment_count(anonymous_get(self.port, detail))
            if self._post(self.member, kind, path, form):
                self.log.checked += 1
                self._check(detail, lambda read: self._comment_count(read) > before)
        elif kind == "publish":
            if self._post(self.editor, kind, path, form):
                for path in (f"/api/v2/pages/{review['id']}/", review["url"]):
                    self.log.checked += 1
                    self._check(path, lambda read: marker.encode() in read.body)
        else:
            self._post(self.member, kind, path, form)

    @staticmethod
    def _comment_count(read: Read) -> int:
        try:
            return int(json.loads(read.body)["comment_count"])
        except (ValueError, KeyError, TypeError):
            return -1

    def _check(self, path: str, shows: Callable[[Read], bool]) -> None:
        """Read ``path`` as a stranger; one that does not show the write yet
        is logged with how it was answered, and with what the same read
        answers a second later (a stale copy, or one that was never kept?)."""
        read = anonymous_get(self.port, path)
        if shows(read):
            return
        time.sleep(1)
        again = anonymous_get(self.port, path)
        later = "shows it" if shows(again) else "still stale"
        self.log.stale.append(
            f"{path} [{read.describe()}; 1 s later {again.describe()}, {later}]"
        )
