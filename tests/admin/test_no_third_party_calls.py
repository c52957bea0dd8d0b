"""The admin makes no request to another site: no Gravatar (it would hand
every member's hashed email address to gravatar.com with each page) and no
Wagtail release check."""

import pytest
from django.contrib.auth import get_user_model


@pytest.mark.django_db
def test_the_dashboard_asks_no_third_party(client):
    admin = get_user_model().objects.create_superuser(
        "root", "root@example.org", "pw-not-used"
    )
    client.force_login(admin)

    html = client.get("/admin/").content.decode()

    assert "/admin/" in html  # the dashboard itself was rendered
    assert "gravatar.com" not in html
    assert 'data-controller="w-upgrade' not in html
