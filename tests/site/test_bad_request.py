"""A request Django cannot read is a 400, not a 500.

A form posted with a charset Django will not decode (``charset=utf-16``)
raises ``BadRequest`` while the CSRF check reads it; Django's own 400 view
then reads the form again for its CSRF token, raises again, and the answer
was a 500, on every form of the site (found by an attack).
"""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/login/", "/reading/tokens/", "/nowhere/"])
def test_a_form_in_an_unreadable_charset_is_a_400(path):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = "a" * 32
    response = client.post(
        path,
        data="username=a&password=b",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
        HTTP_X_CSRFTOKEN="a" * 32,
    )
    assert response.status_code == 400
