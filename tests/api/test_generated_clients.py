"""Clients generated from the served OpenAPI document build, and their calls
return typed data from the demo: a Python client (openapi-python-client) and
TypeScript types (openapi-typescript, from the frontend's npm packages)
checked by ``tsc`` and run by Node. Nothing generated is committed."""

from __future__ import annotations

import importlib
import io
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import APIToken

from reviews.demo import example_variables

#: The live server sees committed rows only; the migrated ones (the default
#: Site) are put back after each test for the next.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "frontend" / "node_modules" / ".bin"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def demo_server(live_server) -> dict[str, str]:
    port = urlsplit(live_server.url).port
    call_command("load_demo", "--port", str(port), stdout=io.StringIO())
    return example_variables()


def _document(tmp_path: Path, base: str) -> Path:
    with urllib.request.urlopen(f"{base}/api/v3/openapi.json") as response:  # noqa: S310
        path = tmp_path / "openapi.json"
        path.write_bytes(response.read())
    return path


def _run(
    *command: str | Path, cwd: Path, env: dict | None = None
) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result


def test_the_python_client_returns_typed_data(demo_server, tmp_path, monkeypatch):
    base = demo_server["B"]
    document = _document(tmp_path, base)
    generated = _run(
        GENERATOR,
        "generate",
        "--path",
        document,
        "--output-path",
        tmp_path / "club_client",
        "--meta",
        "none",
        cwd=tmp_path,
    )
    assert "will not be generated" not in generated.stdout + generated.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    client_module = importlib.import_module("club_client.client")
    reviews = importlib.import_module("club_client.api.reviews.club_reviews_list")
    books = importlib.import_module("club_client.api.books.club_books_list")
    progress = importlib.import_module("club_client.api.progress.club_progress_patch")
    models = importlib.import_module("club_client.models")

    anonymous = client_module.Client(base_url=base)
    listing = reviews.sync(client=anonymous, series=int(demo_server["SERIES"]))
    assert isinstance(listing, models.ReviewListSchema)
    assert listing.count >= 2
    blocks = [block for review in listing.items for block in review.body]
    spoilers = [b for b in blocks if isinstance(b, models.SpoilerBlockSchema)]
    assert spoilers and all(s.value.hidden is True for s in spoilers)
    assert any(isinstance(b, models.ParagraphBlockSchema) for b in blocks)
    assert isinstance(listing.items[0].reviewer, models.ReviewerSchema)
    # A review write's body is typed by block too.
    draft = models.ReviewInSchema.from_dict(
        {
            "title": "Cold",
            "book": 1,
            "summary": "Short.",
            "body": [
                {"type": "heading", "value": "Part one"},
                {"type": "spoiler", "value": {"label": "The end", "content": None}},
            ],
        }
    )
    assert isinstance(draft.body[0], models.HeadingBlockSchema)
    assert isinstance(draft.body[1], models.SpoilerBlockInSchema)
    catalogue = books.sync(client=anonymous)
    assert isinstance(catalogue, models.ClubBookListSchema)
    assert {book.title for book in catalogue.items} >= {"The Siege", "The Betrayal"}

    _, token = APIToken.create_token(
        user=get_user_model().objects.get(username="alice"), name="client"
    )
    member = client_module.AuthenticatedClient(base_url=base, token=token)
    recorded = progress.sync(
        client=member,
        book_id=int(demo_server["SIEGE"]),
        # Alice finished it in the demo: reading it again, she is at chapter 9.
        body=models.ProgressPatchSchema(chapter=9, finished=False),
    )
    assert isinstance(recorded, models.ProgressSchema)
    assert (recorded.chapter, recorded.finished) == (9, False)


#: Compiled against the generated types and run by Node against the demo.
TYPESCRIPT_CHECK = Path(__file__).with_name("client_check.ts")


@pytest.fixture
def node_tools() -> None:
    """The frontend's npm packages, looked for before the demo is built
    (``demo_server``: about 2.5 s of CPU) rather than after it."""
    if not (NODE_BIN / "openapi-typescript").exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run `npm ci` in frontend/ before the suite.")
        pytest.skip("run `npm ci` in frontend/ for the TypeScript client check")


def test_the_typescript_types_compile_and_describe_the_demo(
    node_tools, demo_server, tmp_path
):
    document = _document(tmp_path, demo_server["B"])
    _run(
        NODE_BIN / "openapi-typescript",
        document,
        "--output",
        "schema.d.ts",
        cwd=tmp_path,
    )
    (tmp_path / "check.ts").write_text(TYPESCRIPT_CHECK.read_text())
    _run(
        NODE_BIN / "tsc",
        "--strict",
        "--target",
        "es2022",
        "--module",
        "commonjs",
        "--lib",
        "es2022,dom",
        "--outDir",
        "out",
        "check.ts",
        cwd=tmp_path,
    )
    output = _run(
        "node",
        tmp_path / "out" / "check.js",
        cwd=tmp_path,
        env={**os.environ, **demo_server},
    )
    result = json.loads(output.stdout)
    assert result["typed"] is True
    assert result["typedInput"] is True
    assert result["spoilers"] >= 1
    assert result["opened"] == result["spoilers"]
