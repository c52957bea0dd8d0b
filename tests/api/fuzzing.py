"""What the schemathesis runs over API v2 and v3 share: bounded, repeatable
settings, the checks every answer must pass, the schemas (with or without
the coverage phase) and the tests (anonymous, and with a token). Their
fixtures: a small club with its tokens, built once per module (here), and
the test's connection kept across requests (``conftest.py``); a module that
defines fuzz tests imports ``fuzz_club``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.pytest import _test_builder
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import response_schema_conformance
from wagtail.models import APIToken

from reviews.api.problems import PROBLEM_JSON
from reviews.roles import EDITORS, MEMBERS, MODERATORS, ensure_groups
from tests.factories import (
    BookFactory,
    UserFactory,
    make_discussion,
    make_image,
    make_review,
    make_series,
    review_index,
    spoiler,
    user_in,
)
from tests.fixtures.database import built_once

FUZZ_SETTINGS = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schemathesis.check
def one_problem_shape(ctx, response, case) -> bool | None:
    """Every error is an RFC 9457 problem with the one shape, and no value a
    client got wrong is a 422."""
    if response.status_code < 400:
        return None
    headers = {name.lower(): values for name, values in response.headers.items()}
    content_type = headers.get("content-type", [""])[0]
    assert content_type == PROBLEM_JSON, (response.status_code, content_type)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == response.status_code != 422, body
    return None


CHECKS = [not_a_server_error, response_schema_conformance, one_problem_shape]


def api_schema(document: dict, *, coverage: bool) -> BaseSchema:
    """The schemathesis schema of ``document``, calling the WSGI application.

    With ``coverage`` the run adds schemathesis's coverage phase: for each
    operation about ninety requests with boundary values, missing and
    wrong-typed parameters and bodies. It takes about a minute of CPU over API
    v3, so each module gives it to the one role that reaches every validator
    (v3: the editor, whose token gets past every write's permission check; v2:
    the member), in a test marked ``deep`` (``make test-deep``, which CI runs
    on both databases); every role gets the documented examples and three
    generated cases per operation in the suite.
    """
    schema = schemathesis.openapi.from_dict(
        document, config=None if coverage else WITHOUT_COVERAGE
    )
    schema.app = get_wsgi_application()
    return schema


WITHOUT_COVERAGE = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}}}
)


@pytest.fixture(scope="module")
def fuzz_club(django_db_setup, django_db_blocker) -> dict[str, dict[str, str]]:
    """A small club (a book in a series, a review with a spoiler, a discussion,
    an image) and the tokens the runs send, built once per module: each
    operation's test runs in a savepoint of its own, so what it writes (an
    editor's token creates, moves and deletes pages) rolls back after it.
    Returns each token's headers by role: ``member`` (who may draft reviews)
    and ``editor`` (Editors and Moderators, as the demo makes one: publishes,
    moves, copies and deletes pages)."""
    with built_once(django_db_blocker):
        groups = ensure_groups(review_index())
        book = BookFactory(chapter_count=12)
        make_series("Fuzzed series", [(book, 1)])
        make_review(book=book, body=[spoiler(book, 3, "Three", "hidden text")])
        make_discussion(book=book)
        make_image("Fuzzed photo")
        member = user_in(groups[MEMBERS], "bea", first_name="Bea", last_name="Lane")
        editor = UserFactory(username="fuzz-editor")
        editor.groups.add(groups[EDITORS], groups[MODERATORS])
        yield {"member": _bearer(member), "editor": _bearer(editor)}


def _bearer(user) -> dict[str, str]:
    _, plaintext = APIToken.create_token(user=user, name="fuzz")
    return {"Authorization": f"Bearer {plaintext}"}


def token_fuzz_test(schema: BaseSchema, role: str, *, deep: bool = False):
    """A test of every operation of ``schema`` with the token of ``role``
    (``member`` or ``editor``, see :func:`fuzz_club`). ``deep``: marked
    ``deep``, which ``make test`` leaves out and ``make test-deep`` runs (a
    schema with the coverage phase takes about a minute of CPU)."""

    @pytest.mark.django_db
    @pytest.mark.usefixtures("keep_the_test_connection")
    @schema.parametrize()
    @FUZZ_SETTINGS
    def with_token(case, fuzz_club):
        case.call_and_validate(headers=fuzz_club[role], checks=CHECKS)

    return pytest.mark.deep(with_token) if deep else with_token


def anonymous_fuzz_test(schema: BaseSchema):
    """A test of every operation of ``schema`` for a client with no token."""

    @pytest.mark.django_db
    @pytest.mark.usefixtures("keep_the_test_connection")
    @schema.parametrize()
    @FUZZ_SETTINGS
    def anonymous(case, fuzz_club):
        case.call_and_validate(checks=CHECKS)

    return anonymous


#: What schemathesis's pytest plugin calls, for each operation at collection,
#: to build the operation's Hypothesis test.
_build_operation_test = _test_builder.build_operation_test


def _build_when_run(**kwargs: Any) -> Callable:
    """Stand in for an operation's Hypothesis test until the test runs.

    schemathesis builds each operation's test at collection, its documented
    examples and its coverage phase's cases with it: about 7 s of CPU for the
    two fuzz modules, paid by every pytest-xdist worker (each collects every
    file) and by ``tests/api/test_fuzz_collection.py``'s collection, though
    one worker runs them. Collection gets this stand-in instead: a Hypothesis
    test with the signature (so the fixtures) and marks of the real one, and
    the call that builds the real one, with the very arguments the plugin
    passed, which ``pytest_runtest_setup`` (``tests/api/conftest.py``) makes
    before the test runs. The stand-in itself never passes.
    """
    test_func = kwargs["test_func"]

    @functools.wraps(test_func)
    def not_built(*args: Any, **fixtures: Any) -> None:
        raise AssertionError("the operation's test is built before it runs")

    stand_in = hypothesis.given(case=st.just(None))(not_built)
    stand_in.build_operation_test = functools.partial(  # type: ignore[attr-defined]
        _build_operation_test, **kwargs
    )
    return stand_in


_test_builder.build_operation_test = _build_when_run


def build_the_operation_test(item: pytest.Item) -> None:
    """Put the operation's real test in place of :func:`_build_when_run`'s
    stand-in, before the test's set-up."""
    build = getattr(getattr(item, "obj", None), "build_operation_test", None)
    if build is not None:
        item.obj = build()  # type: ignore[attr-defined]
