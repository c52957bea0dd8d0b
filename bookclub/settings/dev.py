import os

from .base import *  # noqa: F403

DEBUG = True
# A development-only key; production refuses to start without SECRET_KEY.
SECRET_KEY = "dev-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# `load_demo` writes the notifications it sends while it builds the club here
# (one file a connection) rather than printing them all before the login.
BOOKCLUB_DEMO_MAIL_DIR = BASE_DIR / "var" / "demo-mail"  # noqa: F405
# The reference frontend (`make frontend`) is served on Vite's port; the
# environment's CORS_ALLOWED_ORIGINS, when set, replaces this.
FRONTEND_PORT = os.environ.get("FRONTEND_PORT", "5173")
CORS_ALLOWED_ORIGINS = CORS_ALLOWED_ORIGINS or [  # noqa: F405
    f"http://127.0.0.1:{FRONTEND_PORT}",
    f"http://localhost:{FRONTEND_PORT}",
]
