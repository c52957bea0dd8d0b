"""Every error under /api/ is one RFC 9457 problem (application/problem+json,
``type``, ``title``, ``status``, ``detail``), whichever layer answers: API v2,
v3 (Wagtail's own endpoints and the club's routers), the middleware, or the URL
resolver. Bad values of any kind are a 400."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.test import Client
from wagtail.models import Site

from reviews.models import DiscussionPage, ReviewPage
from tests.factories import (
    BookFactory,
    make_discussion,
    make_review,
    spoiler,
    token_client,
)
from tests.fixtures.database import built_once

pytestmark = pytest.mark.django_db

PROBLEM_JSON = "application/problem+json"
HIDDEN = "XYZZY-HIDDEN"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"] == PROBLEM_JSON, response.content
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= set(problem), problem
    assert problem["status"] == status
    assert problem["type"] == "about:blank"
    assert problem["title"] and isinstance(problem["detail"], str)
    return problem


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[tuple[int, int]]:
    """A review with a hidden spoiler, and a discussion of its book, built
    once for the module and rolled back at the end; what a test writes rolls
    back after it."""
    with built_once(django_db_blocker):
        book = BookFactory(title="The Siege", chapter_count=30)
        review = make_review(book=book, body=[spoiler(book, 3, "Three", HIDDEN)])
        yield review.pk, make_discussion(book=book).pk


@pytest.fixture
def content(built) -> ReviewPage:
    return ReviewPage.objects.get(pk=built[0])


@pytest.fixture
def discussion(built) -> DiscussionPage:
    return DiscussionPage.objects.get(pk=built[1])


ANONYMOUS_ERRORS = [
    ("get", "/api/v2/pages/abc/", 404),
    ("get", "/api/v2/pages/999999/", 404),
    ("get", "/api/v2/nothing-here/", 404),
    ("get", "/api/v2/pages/?limit=100", 400),
    ("get", "/api/v2/pages/?unknown=1", 400),
    ("get", "/api/v2/pages/?spoilers=maybe", 400),
    ("get", "/api/v2/pages/?type=nope.Nope", 400),
    ("get", "/api/v2/pages/?order=body", 400),
    ("get", "/api/v2/images/abc/", 404),
    ("post", "/api/v2/pages/", 405),
    ("get", "/api/v3/pages/abc/", 400),
    ("get", "/api/v3/pages/999999/", 404),
    ("get", "/api/v3/nothing-here/", 404),
    ("get", "/api/nothing-here/", 404),
    ("get", "/api/v3/reviews/?limit=100", 400),
    ("get", "/api/v3/reviews/?limit=0", 400),
    ("get", "/api/v3/reviews/?rating_min=x", 400),
    ("get", "/api/v3/reviews/?spoilers=maybe", 400),
    ("get", "/api/v3/pages/?order=body", 400),
    ("get", "/api/v3/reviews/abc/", 400),
    ("get", "/api/v3/books/999999/", 404),
    ("delete", "/api/v3/books/", 405),
    ("post", "/api/v3/reviews/", 401),
    ("get", "/api/v3/progress/", 401),
    ("post", "/api/v3/pages/", 401),
]


@pytest.mark.parametrize(("method", "url", "status"), ANONYMOUS_ERRORS)
def test_every_error_is_one_problem_shape(client, content, method, url, status):
    response = getattr(client, method)(url)
    problem = assert_problem(response, status)
    assert HIDDEN not in response.content.decode()
    if status == 405:
        allowed = {name.strip() for name in response["Allow"].split(",")}
        assert "GET" in allowed or "POST" in allowed
        # HEAD answers wherever GET does (the API's middleware): say so.
        assert "GET" not in allowed or "HEAD" in allowed, allowed
    del problem


def test_a_bad_value_names_its_parameter(client, content):
    problem = assert_problem(client.get("/api/v3/reviews/?spoilers=maybe"), 400)
    assert problem["param"] == "spoilers"
    problem = assert_problem(client.get("/api/v2/pages/?read=abc"), 400)
    assert problem["param"] == "read"


def test_field_errors_are_listed(client, content):
    problem = assert_problem(client.get("/api/v3/reviews/?rating_min=x"), 400)
    assert problem["errors"][0]["loc"][-1] == "rating_min"


def test_a_member_forbidden_to_publish_gets_a_403_problem(content, member):
    response = token_client(member).post(f"/api/v3/pages/{content.pk}/actions/publish/")
    assert response.status_code in (403, 404)
    assert_problem(response, response.status_code)


def test_an_invalid_token_is_a_401_problem(content):
    bad = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_problem(bad.get("/api/v2/pages/"), 401)
    assert_problem(bad.post("/api/v3/reviews/", {}, "application/json"), 401)


def test_every_401_names_the_bearer_scheme(client, content):
    """RFC 9110: a 401 says how to authenticate, in both APIs."""
    bad = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
    for response in [
        bad.get("/api/v2/pages/"),
        bad.get("/api/v3/reviews/"),
        bad.get(f"/api/v3/pages/{content.pk}/"),
        bad.post("/api/v3/reviews/", {}, "application/json"),
        client.get("/api/v3/progress/"),
        client.post("/api/v3/pages/", {}, "application/json"),
    ]:
        assert_problem(response, 401)
        assert response["WWW-Authenticate"] == "Bearer", response.wsgi_request.path


def test_a_write_with_a_bad_body_is_a_400(content, member):
    response = token_client(member).post(
        "/api/v3/reviews/", {"title": 3}, content_type="application/json"
    )
    problem = assert_problem(response, 400)
    assert problem["errors"]


def test_a_comment_throttle_is_a_429_problem(discussion, member, settings):
    settings.BOOKCLUB_COMMENT_RATES = [(1, 60)]
    api = token_client(member)
    url = f"/api/v3/discussions/{discussion.pk}/comments/"
    first = api.post(url, {"body": "One."}, content_type="application/json")
    assert first.status_code == 201, first.content
    second = api.post(url, {"body": "Two."}, content_type="application/json")
    assert_problem(second, 429)
    assert second["Retry-After"]


def test_a_frontend_on_another_origin_may_read_retry_after(
    discussion, member, settings
):
    """A browser hides every response header CORS does not expose: a
    frontend could not read how long to wait after a 429."""
    origin = "https://frontend.example"
    settings.CORS_ALLOWED_ORIGINS = [origin]
    settings.BOOKCLUB_COMMENT_RATES = [(1, 60)]
    api = token_client(member)
    url = f"/api/v3/discussions/{discussion.pk}/comments/"
    api.post(url, {"body": "One."}, content_type="application/json")
    throttled = api.post(
        url, {"body": "Two."}, content_type="application/json", HTTP_ORIGIN=origin
    )
    assert throttled.status_code == 429
    exposed = {
        name.strip().lower()
        for name in throttled["Access-Control-Expose-Headers"].split(",")
    }
    assert {"retry-after", "etag", "last-modified"} <= exposed


BIG = str(2**63)  # one past the largest 64-bit integer a database holds

BAD_QUERIES = [
    "/api/v2/pages/?search=a%00b",
    "/api/v2/images/?search=a%00b",
    "/api/v2/documents/?search=a%00b",
    "/api/v3/pages/?search=a%00b",
    "/api/v3/reviews/?search=a%00b",
    "/api/v3/images/?search=a%00b",
    "/api/v3/books/?search=a%00b",
    "/api/v3/pages/?title=a%00",
    "/api/v2/pages/?title=a%00",
    f"/api/v2/pages/?offset={BIG}",
    f"/api/v2/images/?offset={BIG}",
    f"/api/v3/pages/?offset={BIG}",
    f"/api/v3/images/?offset={BIG}",
    f"/api/v3/reviews/?offset={BIG}",
    f"/api/v3/books/?offset={BIG}0000",
    f"/api/v2/pages/?limit={BIG}",
    f"/api/v2/pages/?child_of={BIG}",
    f"/api/v3/pages/?child_of={BIG}",
    f"/api/v3/pages/{BIG}/",
    "/api/v2/pages/?search=%ff%fe",
    "/api/v3/reviews/?search=%ff",
    "/api/v2/pages/%ff/",
    "/api/v3/pages/%ff/",
]


@pytest.mark.parametrize("url", BAD_QUERIES)
def test_bad_input_in_a_query_is_never_a_server_error(client, content, url):
    response = client.get(url)
    assert response.status_code < 500, (response.status_code, response.content)
    if response.status_code >= 400:
        assert_problem(response, response.status_code)


@pytest.mark.parametrize(
    "url", ["/api/v3/reviews/?search=a%00b", "/api/v2/pages/?search=%00"]
)
def test_a_nul_in_search_is_a_400_naming_the_parameter(client, content, url):
    problem = assert_problem(client.get(url), 400)
    assert problem["param"] == "search"


@pytest.mark.parametrize(
    "url", ["/api/v2/pages/", "/api/v3/pages/", "/api/v3/reviews/"]
)
def test_an_offset_past_the_largest_integer_is_a_400(client, content, url):
    problem = assert_problem(client.get(f"{url}?offset={BIG}"), 400)
    assert problem["param"] == "offset"


LISTINGS = [
    "/api/v2/pages/",
    "/api/v2/pages/?type=reviews.ReviewPage",
    "/api/v2/images/",
    "/api/v3/pages/",
    "/api/v3/reviews/",
    "/api/v3/books/",
    "/api/v3/series/",
    "/api/v3/discussions/",
]


@pytest.mark.parametrize("param", ["limit", "offset"])
@pytest.mark.parametrize("url", LISTINGS)
def test_a_repeated_page_parameter_is_a_400_naming_it(client, content, url, param):
    """As a repeated ``spoilers`` is: which of the values would count is no
    client's guess (and the one checked for range was not the one used)."""
    joiner = "&" if "?" in url else "?"
    repeated = f"{url}{joiner}{param}=5&{param}=10"
    problem = assert_problem(client.get(repeated), 400)
    assert problem["param"] == param
    assert param in problem["detail"]
    assert client.get(f"{url}{joiner}{param}=5").status_code == 200


#: One filter of each listing, with two values that would each be accepted.
REPEATED_FILTERS = [
    ("/api/v2/pages/?type=reviews.ReviewPage", "rating_min", "1", "5"),
    ("/api/v2/pages/?type=reviews.ReviewPage", "rating", "4", "5"),
    ("/api/v2/pages/?type=reviews.ReviewPage", "order", "title", "-title"),
    ("/api/v2/pages/", "type", "reviews.ReviewPage", "wagtailcore.Page"),
    ("/api/v2/images/", "title", "a", "b"),
    ("/api/v3/reviews/", "rating_min", "1", "5"),
    ("/api/v3/reviews/", "ordering", "rating", "-rating"),
    ("/api/v3/reviews/", "mine", "false", "false"),
    ("/api/v3/books/", "author", "a", "b"),
    ("/api/v3/series/", "rich_text_format", "html", "db_html"),
    ("/api/v3/discussions/", "when", "past", "upcoming"),
    ("/api/v3/reviews/1/", "version", "live", "live"),
]


@pytest.mark.parametrize(("url", "param", "first", "second"), REPEATED_FILTERS)
def test_a_repeated_filter_is_a_400_naming_it(
    client, content, url, param, first, second
):
    """``rating_min=1&rating_min=5`` took one of the two, so a client that
    built its query from a form with a stray field got the other's results
    and no word of it. A parameter that takes one value is given once."""
    if url == "/api/v3/reviews/1/":
        url = f"/api/v3/reviews/{content.pk}/"
    joiner = "&" if "?" in url else "?"
    problem = assert_problem(
        client.get(f"{url}{joiner}{param}={first}&{param}={second}"), 400
    )
    assert problem["param"] == param
    assert f"{param} once" in problem["detail"]
    assert client.get(f"{url}{joiner}{param}={second}").status_code == 200


def test_a_bad_value_in_a_list_parameter_names_the_parameter(client, content):
    """Wagtail's v3 ``type`` takes a list; a bad item's error is placed at
    ``["query", "filters", "type", 0]``, and ``param`` said ``"0"``."""
    problem = assert_problem(
        client.get("/api/v3/pages/?type=reviews.ReviewPage,reviews.SeriesPage"), 400
    )
    assert problem["param"] == "type"
    assert problem["errors"][0]["loc"] == ["query", "filters", "type", 0]


#: Detail and find views, API v2's and Wagtail's own v3 endpoints.
REPEATED_ELSEWHERE = [
    ("/api/v2/pages/{pk}/", "rich_text_format", "markdown", "html"),
    ("/api/v2/pages/{pk}/", "fields", "-body", "title"),
    ("/api/v2/pages/find/", "html_path", "/", "{url}"),
    ("/api/v3/pages/{pk}/", "rich_text_format", "markdown", "html"),
    ("/api/v3/pages/find/", "html_path", "/", "{url}"),
    ("/api/v3/pages/", "child_of", "{parent}", "{parent}"),
]


@pytest.mark.parametrize(("url", "param", "first", "second"), REPEATED_ELSEWHERE)
def test_a_repeated_parameter_is_a_400_outside_the_listings_too(
    client, content, url, param, first, second
):
    """``rich_text_format=markdown&rich_text_format=html`` answered in HTML,
    ``fields=-body&fields=title`` sent the body, and two ``html_path`` found
    the second page."""
    names = {"pk": content.pk, "url": content.url, "parent": content.get_parent().pk}
    url, first, second = (value.format(**names) for value in (url, first, second))
    assert client.get(f"{url}?{param}={second}").status_code in (200, 302)
    problem = assert_problem(client.get(f"{url}?{param}={first}&{param}={second}"), 400)
    assert problem["param"] == param


def test_every_single_valued_parameter_of_the_served_document_is_refused_twice(
    client, content
):
    """The list the API middleware refuses repeats of holds every query
    parameter the served OpenAPI document gives one value, but those the
    club's own endpoints refuse themselves (reviews.api.params) and those
    meant to repeat."""
    from reviews.api.middleware import SINGLE_VALUED_PARAMS
    from reviews.api.params import REPEATABLE_PARAMS

    document = client.get("/api/v3/openapi.json").json()
    single = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            if operation.get("operationId", "").startswith("club_"):
                continue
            for parameter in operation.get("parameters", []):
                schema = json.dumps(parameter.get("schema", {}))
                if parameter["in"] == "query" and '"array"' not in schema:
                    single.add(parameter["name"])
    # The reader middleware refuses a repeated spoilers or reveal_comments.
    refused_by_the_reader = {"spoilers", "reveal_comments"}
    assert single - REPEATABLE_PARAMS - refused_by_the_reader <= SINGLE_VALUED_PARAMS


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/?type=reviews.ReviewPage&read={book}&read=",
        "/api/v3/reviews/?read={book}&read=",
    ],
)
def test_a_parameter_meant_to_repeat_still_may(client, content, url):
    """``read=`` is one a book (the visitor's form sends one a book, most of
    them empty)."""
    assert client.get(url.format(book=content.book_id)).status_code == 200


BODIES = [
    b'\xff\xfe{"title": 1}',
    b'{"title": "\xff"}',
    b"not json",
    b"",
    b"[]",
    b"null",
    b'{"body": "a\\u0000b", "title": "T\\u0000"}',
]
CONTENT_TYPES = [
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_a_bad_body_is_a_400(content, discussion, member, body, content_type):
    from reviews.models import DiscussionComment

    api = token_client(member)
    for method, url in [
        ("post", "/api/v3/reviews/"),
        ("post", f"/api/v3/discussions/{discussion.pk}/comments/"),
        ("post", "/api/v3/pages/"),
        ("put", f"/api/v3/progress/{content.book.pk}/"),
    ]:
        response = getattr(api, method)(url, body, content_type=content_type)
        assert_problem(response, 400)
    assert not DiscussionComment.objects.exists()


def _nested(depth: int) -> bytes:
    return b'{"title": "T", "body": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [400, 5000])
def test_a_deeply_nested_body_is_a_400_not_a_500(client, content, member, depth):
    # json.loads gave up on 5,000 levels and the NUL check on 400 with a
    # RecursionError: a 500 page, before any authentication.
    for api in (client, token_client(member)):
        for method, url in [
            ("post", "/api/v3/reviews/"),
            ("post", "/api/v3/pages/"),
            ("patch", f"/api/v3/pages/{content.pk}/"),
            ("put", f"/api/v3/progress/{content.book.pk}/"),
            ("post", "/api/v2/pages/"),
        ]:
            response = getattr(api, method)(
                url, _nested(depth), content_type="application/json"
            )
            assert response.status_code < 500, (url, depth)
            assert response["Content-Type"] == PROBLEM_JSON, (url, depth)


def _review_body(paragraph: str) -> bytes:
    """A review write whose one paragraph is ``paragraph``, as JSON text
    (``paragraph`` may hold JSON escapes, such as a lone surrogate's)."""
    return (
        '{"title": "T", "book": BOOK, "summary": "s", "tags": [], '
        '"body": [{"type": "paragraph", "value": "' + paragraph + '"}]}'
    ).encode()


@pytest.mark.parametrize(
    "paragraph",
    [
        # A lone surrogate: no UTF-8 can write it. The write was a 500 (the
        # search index), or the page and every listing of it once published.
        '<p>a <a href=\\"https://example.com/\\ud800\\">x</a></p>',
        "<p>text \\udfff</p>",
        # Rich text nested deeper than Wagtail's input cleaning can recurse.
        "<p>" + "<b>" * 400 + "x</p>",
        "<p>" + '<a href=\\"https://e.org/\\">' * 400 + "x</p>",
    ],
)
def test_rich_text_no_writer_can_keep_is_a_400(
    content, club_member, moderator, paragraph
):
    for user, url in [
        (club_member, "/api/v3/reviews/"),
        (moderator, "/api/v3/pages/"),
    ]:
        body = _review_body(paragraph).replace(b"BOOK", str(content.book.pk).encode())
        if url == "/api/v3/pages/":
            body = body.replace(
                b'{"title"',
                b'{"meta": {"type": "reviews.ReviewPage", "parent_id": '
                + str(content.get_parent().pk).encode()
                + b'}, "title"',
            )
        response = token_client(user).post(url, body, content_type="application/json")
        assert_problem(response, 400)
        assert "recursion" not in response.content.decode()


HEAD_URLS = [
    "/api/v3/reviews/",
    "/api/v3/books/",
    "/api/v3/pages/",
    "/api/v3/openapi.json",
    "/api/v2/pages/",
]


@pytest.mark.parametrize("url", HEAD_URLS)
def test_head_answers_wherever_get_does(client, content, url):
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert head.get("ETag") == get.get("ETag")


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_host_no_site_answers_for_is_a_404_not_a_500(client, content, method):
    """With no default site, a host that names no Site has no pages: a page
    detail (loaded with SQL compiled once per site, reviews.api.compiled)
    is a 404, as Wagtail's own lookup answers it, in both API versions."""
    Site.objects.update(is_default_site=False)
    for url in (f"/api/v2/pages/{content.pk}/", f"/api/v3/pages/{content.pk}/"):
        response = getattr(client, method)(url, HTTP_HOST="testserver")
        assert response.status_code == 404, (url, response.status_code)
        assert HIDDEN.encode() not in response.content


def test_head_of_a_missing_page_is_a_404(client, content):
    response = client.head("/api/v3/reviews/999999/")
    assert response.status_code == 404
    assert response.content == b""


def test_head_with_a_member_token(content, member):
    response = token_client(member).head(f"/api/v3/reviews/{content.pk}/")
    assert response.status_code == 200
    assert response.content == b""


def test_a_page_patch_at_a_path_that_is_no_id_is_a_400(content, member):
    response = token_client(member).patch(
        "/api/v3/pages/true/", {"title": "x"}, content_type="application/json"
    )
    assert_problem(response, 400)


#: Ids that Python's int() or a lax parser would read as a number, but that
#: are not the decimal digits of one. Each must be refused, never answered as
#: the review whose id they resemble.
NOT_AN_ID = ["{}.0", "{}%20", "%20{}", "+{}", "{}_0", "{}e0", "%D9%A9"]


@pytest.mark.parametrize("shape", NOT_AN_ID)
@pytest.mark.parametrize(
    "prefix",
    [
        "/api/v3/reviews/",
        "/api/v3/books/",
        "/api/v3/discussions/",
        "/api/v2/pages/",
    ],
)
def test_ids_are_decimal_digits_only(client, built, shape, prefix):
    """The club's v3 routes refuse such an id as they refuse ``abc`` (400);
    v2's routes take only digits, so it finds nothing (404), as for ``abc``.
    (Wagtail's own v3 routes read ids as pydantic does: left to Wagtail.)"""
    review_id, discussion_id = built
    if "books" in prefix:
        pk = ReviewPage.objects.get(pk=review_id).book_id
    else:
        pk = discussion_id if "discussions" in prefix else review_id
    assert client.get(f"{prefix}{pk}/").status_code == 200
    response = client.get(prefix + shape.format(pk) + "/")
    problem = assert_problem(response, 404 if "/v2/" in prefix else 400)
    assert HIDDEN not in response.content.decode()
    if "/v3/" in prefix:
        # Named as the path parameter at fault, as pydantic names ``abc``.
        assert problem["errors"][0]["loc"][0] == "path", problem


class FailingMiddleware:
    """Fails the way a bug in a middleware in front of the API's own would
    (the response cache sits there): outside every API view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError("a bug before the API's middleware")


@pytest.mark.parametrize("url", ["/api/v3/reviews/", "/api/v2/pages/"])
def test_a_failure_before_the_api_middleware_is_still_a_problem(settings, url):
    settings.MIDDLEWARE = [f"{__name__}.FailingMiddleware", *settings.MIDDLEWARE]
    response = Client(raise_request_exception=False).get(url)
    problem = assert_problem(response, 500)
    assert "bug" not in problem["detail"]


def test_a_failure_outside_the_api_is_still_the_500_page(settings):
    settings.MIDDLEWARE = [f"{__name__}.FailingMiddleware", *settings.MIDDLEWARE]
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/{review}/?rich_text_format=x",
        "/api/v2/pages/{review}/?rich_text_format=",
        "/api/v2/pages/?type=reviews.ReviewPage&fields=body&rich_text_format=x",
        "/api/v3/pages/find/?html_path=/&site=127.0.0.1:",
        "/api/v3/pages/find/?html_path=/&site=:",
        "/api/v3/pages/find/?html_path=/&site=x:abc",
    ],
)
def test_a_bad_value_found_by_fuzzing_is_a_400_not_a_500(client, content, url):
    """A review's body rendered before Wagtail checked the rich text format,
    and v3's find read a Site's port as given: both answered 500."""
    from tests.factories import paragraph

    shown = make_review(book=content.book, body=[paragraph("Rich text shown.")])
    response = client.get(url.format(review=shown.pk))
    assert_problem(response, 400)
    assert HIDDEN not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/?type=reviews.ReviewPage&reviewer=me",
        "/api/v3/reviews/?reviewer=me",
    ],
)
def test_reviewer_me_without_a_member_is_a_401_in_both_versions(client, content, url):
    """API v3 answered 401 and v2 400 for the same request: it lacks who
    "me" is, not a valid value."""
    assert_problem(client.get(url), 401)
