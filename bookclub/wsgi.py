import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookclub.settings.dev")

application = get_wsgi_application()
# The URLconf, and with it the views and APIs, loaded now rather than by the
# first request: that request is then as quick as the rest, an import that
# fails stops the worker at start, and gunicorn.conf.py's post_worker_init
# takes these objects out of the garbage collector's passes with the rest.
get_resolver().url_patterns  # noqa: B018
