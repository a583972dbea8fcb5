"""The production gunicorn.conf.py, plus a response header naming the worker (tests only)."""

from pathlib import Path

exec((Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text())

accesslog = None


def post_worker_init(worker):
    inner = worker.wsgi

    def tagged(environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("X-Test-Worker", str(worker.pid))], exc_info)

        return inner(environ, start)

    worker.wsgi = tagged
