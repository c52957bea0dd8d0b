"""The resilience runs' traffic: browsers with a session, readers that fetch
the club's busiest pages, and writers that comment and publish over HTTP."""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

READ_PATHS = (
    "/",
    "/api/v2/pages/?type=reviews.ReviewPage&fields=*&limit=20",
    "/api/v2/pages/?type=reviews.ReviewPage&limit=20",
    "/api/v2/pages/?type=reviews.ReviewPage&search=lighthouse",
    "/reviews/",
    "/feeds/reviews/",
    "/search/?q=lighthouse",
)
MAX_REQUESTS_PER_CLIENT = 20_000


# -- an HTTP client with a session -------------------------------------------


class Browser:
    """One client: a keep-alive connection to 127.0.0.1 and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(
        self, method: str, path: str, form: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": "127.0.0.1", "Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0, {}, b""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
        return response.status, dict(response.getheaders()), content

    def login(self, username: str, password: str) -> bool:
        for _ in range(20):
            status, _, _ = self.request("GET", "/admin/login/")
            if status == 200 and "csrftoken" in self.cookies:
                break
            time.sleep(0.5)
        status, headers, _ = self.request(
            "POST",
            "/admin/login/",
            {
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )
        return status == 302 and "sessionid" in self.cookies


# -- what the clients do -----------------------------------------------------


@dataclass
class Outcome:
    t: float
    kind: str
    status: int
    seconds: float


@dataclass
class Run:
    started: float = field(default_factory=time.monotonic)
    outcomes: list[Outcome] = field(default_factory=list)
    writes: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.outcomes.append(
                Outcome(time.monotonic() - self.started, kind, status, seconds)
            )


def reader(
    port: int, run: Run, deadline: float, offset: int, pause: float = 0.0
) -> None:
    """Read the club's pages in turn until ``deadline``, ``pause`` seconds
    apart (none: as fast as the server answers)."""
    browser = Browser(port)
    for i in range(offset, offset + MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        start = time.perf_counter()
        status, _, _ = browser.request("GET", READ_PATHS[i % len(READ_PATHS)])
        run.record("read", status, time.perf_counter() - start)
        if status == 0 or status >= 500:
            time.sleep(0.2)  # as a person or a client library would
        elif pause:
            time.sleep(pause)


def writer(port: int, run: Run, deadline: float, account: dict, club: dict) -> None:
    """A member posts discussion comments; an editor publishes reviews
    through the Wagtail admin. Both over HTTP, logged in with a session."""
    browser = Browser(port)
    while not browser.login(account["username"], club["password"]):
        run.record("login", 0, 0)
        if time.monotonic() >= deadline:
            return
        time.sleep(0.5)
    kind = "publish" if account["role"] == "editor" else "comment"
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        marker = f"{kind}-{account['username']}-{i}-{uuid.uuid4().hex[:8]}"
        if kind == "comment":
            page_id = club["discussions"][i % len(club["discussions"])]
            path = f"/club/discussions/{page_id}/comments/"
            form = {"body": marker, "chapter": "", "parent": ""}
        else:
            page = account["pages"][i % len(account["pages"])]
            page_id = page["id"]
            path = f"/admin/pages/{page_id}/edit/"
            form = publish_form(page, marker)
        form["csrfmiddlewaretoken"] = browser.cookies.get("csrftoken", "")
        start = time.perf_counter()
        status, headers, _ = browser.request("POST", path, form)
        run.record(kind, status, time.perf_counter() - start)
        location = headers.get("Location", "")
        if status == 302 and "/login/" not in location:
            with run.lock:
                run.writes.append({"page": page_id, "marker": marker, "kind": kind})
        elif status == 302:
            browser.login(account["username"], club["password"])
        time.sleep(0.3 if status and status < 500 else 0.5)


def publish_form(page: dict, marker: str) -> dict:
    """The Wagtail admin's edit form for a review, with "Publish" pressed."""
    return {
        "title": page["title"],
        "slug": page["slug"],
        "book": page["book"],
        "rating": "4.0",
        "reviewer": page["reviewer"],
        "summary": marker,
        "tags": "",
        "seo_title": "",
        "search_description": "",
        "body-count": "1",
        "body-0-type": "heading",
        "body-0-value": f"Edited: {marker}",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-id": str(uuid.uuid4()),
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "action-publish": "action-publish",
    }


def drive(
    port: int,
    club: dict,
    seconds: float,
    readers: int,
    writers: int,
    events: list[tuple[float, callable]] = (),
    pause: float = 0.0,
) -> Run:
    """Run ``readers`` + ``writers`` clients for ``seconds``; fire each event
    (a function) at its offset in seconds. Readers wait ``pause`` seconds
    between reads."""
    run = Run()
    deadline = run.started + seconds
    threads = [
        threading.Thread(target=reader, args=(port, run, deadline, n * 5, pause))
        for n in range(readers)
    ]
    threads += [
        threading.Thread(
            target=writer,
            args=(port, run, deadline, account, club),
        )
        for account in club["accounts"][:writers]
    ]
    for thread in threads:
        thread.start()
    for at, event in sorted(events, key=lambda e: e[0]):
        time.sleep(max(0.0, run.started + at - time.monotonic()))
        event(run)
    for thread in threads:
        thread.join()
    return run
