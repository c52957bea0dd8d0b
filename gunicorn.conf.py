"""gunicorn settings for bookclub, all overridable from the environment.

    gunicorn bookclub.wsgi            # reads this file from the working directory

WEB_CONCURRENCY sets the number of sync workers (default: 2 per core + 1);
BIND the address (default 127.0.0.1:8000; use 0.0.0.0:8000 behind a load
balancer); ACCESS_LOG=- logs each request as a JSON line on stdout.
"""

import multiprocessing
import os

wsgi_app = "bookclub.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:" + os.environ.get("PORT", "8000"))
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A sync worker serves one request at a time; a slow client or a hung query
# must not hold it for ever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never takes a server down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# Load balancers terminate TLS; trust their X-Forwarded-* headers only from
# the addresses given (comma-separated), never from everyone by default.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
# gunicorn 25+ opens a control socket in ~/.gunicorn; several servers on one
# host would share it, so it is opt-in (GUNICORN_CONTROL_SOCKET=path).
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
accesslog = os.environ.get("ACCESS_LOG") or None


def post_worker_init(worker) -> None:
    """Move everything the worker has loaded (the app, Django, Wagtail: about
    200,000 objects) out of reach of the cyclic garbage collector.

    They live as long as the worker, yet each full collection walked them
    all: about 100 ms, stalling whichever request set it off (one in 5,000
    requests of the benchmark's static row; docs/performance.md, "Garbage
    collection in the workers"). What requests allocate is still collected
    as before.
    """
    import gc

    gc.collect()
    gc.freeze()


errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "bookclub.logging.JsonFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["stdout"], "level": "INFO"},
        "loggers": {
            "gunicorn.error": {
                "handlers": ["stdout"],
                "level": loglevel.upper(),
                "propagate": False,
            },
            # Access lines only when ACCESS_LOG is set (any logconfig switches
            # gunicorn's access logging on, so it is silenced here otherwise).
            "gunicorn.access": {
                "handlers": ["stdout"] if accesslog else [],
                "level": "INFO" if accesslog else "CRITICAL",
                "propagate": False,
            },
        },
    }
