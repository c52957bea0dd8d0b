"""A file the site streams (a cover image in `make run`, a download) passes
through the shared caches untouched instead of failing with a 500."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse

from reviews.response_cache.api import APIHeadersMiddleware
from reviews.response_cache.middleware import ResponseCacheMiddleware


def _file(request):
    return FileResponse(io.BytesIO(b"\x89PNG cover"), content_type="image/png")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("middleware", "url"),
    [
        (ResponseCacheMiddleware, "/media/images/cover.fill-96x144.png"),
        (ResponseCacheMiddleware, "/api/v3/reading/export.csv"),
        (APIHeadersMiddleware, "/api/v3/reading/export.csv"),
    ],
)
def test_a_streamed_file_reaches_an_anonymous_reader(rf, middleware, url):
    request = rf.get(url)
    request.user = AnonymousUser()

    response = middleware(_file)(request)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG cover"
