"""Production sends email over SMTP configured from the environment, and
reads the client's address for login throttling behind a proxy."""

from __future__ import annotations

import json

from tests.production.helpers import production_env, run_python

SHOW_EMAIL = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "backend": settings.EMAIL_BACKEND,
    "host": settings.EMAIL_HOST,
    "port": settings.EMAIL_PORT,
    "user": settings.EMAIL_HOST_USER,
    "password": settings.EMAIL_HOST_PASSWORD,
    "tls": settings.EMAIL_USE_TLS,
    "from": settings.DEFAULT_FROM_EMAIL,
    "axes_limit": settings.AXES_FAILURE_LIMIT,
    "axes_cooloff": settings.AXES_COOLOFF_TIME.total_seconds(),
    "axes_order": list(settings.AXES_IPWARE_META_PRECEDENCE_ORDER),
    "axes_proxies": getattr(settings, "AXES_IPWARE_PROXY_COUNT", None),
}))
"""


def test_production_email_and_login_throttle_come_from_the_environment():
    result = run_python(
        ["-c", SHOW_EMAIL],
        production_env(
            EMAIL_HOST="smtp.example.org",
            EMAIL_PORT="587",
            EMAIL_HOST_USER="club",
            EMAIL_HOST_PASSWORD="s3cret",
            EMAIL_USE_TLS="true",
            DEFAULT_FROM_EMAIL="The Book Club <club@example.org>",
            AXES_FAILURE_LIMIT="7",
            AXES_COOLOFF_MINUTES="15",
            AXES_IPWARE_PROXY_COUNT="1",
        ),
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown == {
        "backend": "django.core.mail.backends.smtp.EmailBackend",
        "host": "smtp.example.org",
        "port": 587,
        "user": "club",
        "password": "s3cret",
        "tls": True,
        "from": "The Book Club <club@example.org>",
        "axes_limit": 7,
        "axes_cooloff": 900.0,
        "axes_order": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        "axes_proxies": 1,
    }
