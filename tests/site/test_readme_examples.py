"""The README's API examples run as written against the demo club, with the
variables ``load_demo`` prints, so they cannot drift from the API or the demo.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import APIToken

#: The live server sees committed rows only; the migrated ones (the default
#: Site) are put back after each test for the next.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]

README = Path(__file__).resolve().parents[2] / "README.md"
EXPORT_LINE = re.compile(r"For the README's API examples: export (.+)")
TOKEN_COMMAND = re.compile(
    r"(\w+)=\$\(\.venv/bin/python manage\.py api_tokens create --user (\w+) "
    r"--name \w+\)"
)

#: curl fails on an HTTP error and says why; each answer goes to the log.
PRELUDE = """set -euo pipefail
curl() { command curl --fail-with-body --silent --show-error "$@"; }
"""


def _code_blocks(text: str) -> list[str]:
    """The README's indented code blocks, as shell text."""
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("    ") or (current and not line.strip()):
            current.append(line[4:])
            continue
        if current:
            blocks.append("\n".join(current).strip())
            current = []
    if current:
        blocks.append("\n".join(current).strip())
    return blocks


def test_examples_are_found():
    text = README.read_text()
    examples = [block for block in _code_blocks(text) if "curl" in block]
    assert len(examples) >= 4
    assert all("$B/" in block for block in examples)
    assert {user for _, user in TOKEN_COMMAND.findall(text)} == {"alice", "editor"}


@pytest.mark.skipif(
    not Path("/usr/bin/curl").exists(), reason="the examples are curl commands"
)
def test_readme_api_examples_run_against_the_demo(live_server, settings, mailoutbox):
    port = urlsplit(live_server.url).port
    # As make run loads the demo: Wagtail's admin emails take this root.
    settings.WAGTAILADMIN_BASE_URL = f"http://127.0.0.1:{port}"
    output = io.StringIO()
    call_command("load_demo", "--port", str(port), stdout=output)
    exported = EXPORT_LINE.search(output.getvalue())
    assert exported, output.getvalue()
    env = dict(os.environ)
    env.update(item.split("=", 1) for item in shlex.split(exported.group(1)))
    assert env["B"] == f"http://127.0.0.1:{port}"
    # The emails the demo sends as it is built link to where it is served.
    links = {
        url
        for message in mailoutbox
        for url in re.findall(r"https?://[^\s\"'<>]+", message.body)
    }
    assert links
    assert {url for url in links if not url.startswith(env["B"] + "/")} == set()

    text = README.read_text()
    users = get_user_model().objects
    for variable, username in TOKEN_COMMAND.findall(text):
        _, env[variable] = APIToken.create_token(
            user=users.get(username=username), name="readme"
        )
    script = PRELUDE + "\n".join(
        block for block in _code_blocks(text) if "curl" in block
    )

    result = subprocess.run(  # noqa: S603
        ["/bin/bash", "-x", "-c", script],  # noqa: S607
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    assert '"count"' in result.stdout


PROGRESS_PATCH = re.compile(
    r"""-d '\{"chapter": (\d+)\}' "\$B/api/v3/progress/\$(\w+)/\""""
)


def test_the_progress_example_moves_the_member_forward_in_a_book_being_read():
    """Alice (the token's member) records a chapter past hers in a book she
    has not finished: the example shows progress being made, not a finished
    book sent back to a chapter."""
    from reviews.models import Book, ReadingProgress

    output = io.StringIO()
    call_command("load_demo", stdout=output)
    exported = EXPORT_LINE.search(output.getvalue())
    assert exported, output.getvalue()
    ids = dict(item.split("=", 1) for item in shlex.split(exported.group(1)))
    examples = PROGRESS_PATCH.findall(README.read_text())
    assert examples
    for chapter, variable in examples:
        book = Book.objects.get(pk=ids[variable])
        progress = ReadingProgress.objects.get(member__username="alice", book=book)
        assert not progress.finished, book.title
        assert (progress.chapter or 0) < int(chapter), book.title
