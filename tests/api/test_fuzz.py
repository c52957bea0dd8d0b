"""A bounded schemathesis run over every operation of API v3 (Wagtail's own
endpoints and the club's routers, every method): whatever a client sends that
the OpenAPI document allows (and some it does not), the answer is never a 500,
always matches its documented schema, and every error is the one problem
shape. Runs in process against the WSGI application, a few derandomized
examples per operation, for an anonymous client, a member's token and an
editor's token (tests/api/fuzzing.py)."""

from __future__ import annotations

import json

import schemathesis
from django.core.wsgi import get_wsgi_application
from wagtail.api.v3.urls import api

import bookclub.urls  # noqa: F401 (registers the club's routers on the API)
from tests.api.fuzzing import fuzz_tests, token_fuzz_test

# As served: lazy translations (help texts) become strings. Wagtail's snippet
# revision and action operations take a revisable snippet type, and the club
# registers none: the document offers no value a client could send there.
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(), default=str))
).exclude(path_regex=r"^/api/v3/snippets/\{type\}/\{pk\}/(revisions|actions)/")
schema.app = get_wsgi_application()


test_no_server_errors_anonymous, test_no_server_errors_for_a_member = fuzz_tests(schema)
test_no_server_errors_for_an_editor = token_fuzz_test(schema, "editor_bearer")
