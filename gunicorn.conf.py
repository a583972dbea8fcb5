"""Gunicorn settings for ``make serve`` / ``gunicorn wsgi:app`` (see docs/operations.md).

Read from the environment: ``WEB_CONCURRENCY`` (worker processes, default 2 × cores + 1,
at most 8), ``HOST`` and ``PORT`` (default 127.0.0.1:8000; nginx proxies to it),
``GUNICORN_THREADS`` (threads per worker, default 1), ``GUNICORN_TIMEOUT`` (seconds).
The app itself reads ``DATABASE_URL``, ``SECRET_KEY``, ``MARKETPLACE_ENV`` and
``MARKETPLACE_TRUSTED_PROXIES``.
"""

import multiprocessing
import os

wsgi_app = "wsgi:app"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Each worker imports the app itself (no preload): database engines, the search index
# readers and the background indexer thread must not be shared across a fork.
preload_app = False
# Recycle workers now and then so a slow leak cannot grow without bound; rarely, since a
# new worker spends a second or two loading jieba's dictionary (at ~100 requests a second
# over 4 workers, 2,000 recycled one worker every 20 s).
max_requests = 10_000
max_requests_jitter = 1_000
accesslog = "-"
errorlog = "-"
# nginx sets X-Forwarded-*; the app trusts them only via MARKETPLACE_TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Warm a new worker (jieba's dictionary, the search index) before it takes requests."""
    from marketplace.services.search.search_index import warm_up
    from wsgi import app  # this worker's app, imported just before (no preload)

    with app.app_context():
        warm_up()
