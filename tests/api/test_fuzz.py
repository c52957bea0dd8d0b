"""A bounded schemathesis run over every operation of API v3 (Wagtail's own
endpoints and the club's routers, every method): whatever a client sends that
the OpenAPI document allows (and some it does not), the answer is never a 500,
always matches its documented schema, and every error is the one problem
shape. Runs in process against the WSGI application, a few derandomized
examples per operation, for an anonymous client, a member's token and an
editor's token, and for the editor also schemathesis's coverage phase, marked
``deep`` (``make test-deep``; tests/api/fuzzing.py)."""

from __future__ import annotations

import json

from wagtail.api.v3.urls import api

import bookclub.urls  # noqa: F401 (registers the club's routers on the API)
from tests.api.fuzzing import (  # fuzz_club: the fixture the tests use
    anonymous_fuzz_test,
    api_schema,
    fuzz_club,  # noqa: F401
    token_fuzz_test,
)

# As served: lazy translations (help texts) become strings. Wagtail's snippet
# revision and action operations take a revisable snippet type, and the club
# registers none: the document offers no value a client could send there.
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(), default=str))
NO_SNIPPET_REVISIONS = r"^/api/v3/snippets/\{type\}/\{pk\}/(revisions|actions)/"


def schema(*, coverage: bool):
    return api_schema(DOCUMENT, coverage=coverage).exclude(
        path_regex=NO_SNIPPET_REVISIONS
    )


quick = schema(coverage=False)
test_no_server_errors_anonymous = anonymous_fuzz_test(quick)
test_no_server_errors_for_a_member = token_fuzz_test(quick, "member")
test_no_server_errors_for_an_editor = token_fuzz_test(quick, "editor")
# The editor's token passes every write's permission check, so its run is the
# one whose bad bodies reach the validators: it gets the coverage phase
# (`make test-deep`).
test_no_server_errors_at_any_boundary_for_an_editor = token_fuzz_test(
    schema(coverage=True), "editor", deep=True
)
