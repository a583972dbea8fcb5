"""Structured logs: one JSON object per line, with the request's id.

``log_event("login.throttled", username="unit01", wait_seconds=30)`` writes
``{"event": "login.throttled", "request_id": "…", "username": "unit01", …}`` to the
``marketplace.events`` logger. Use it for refusals, slow requests, solver fallbacks and
index repairs: anything an operator may need to count or trace. Never pass secrets.
"""

import json
import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

events = logging.getLogger("marketplace.events")
REQUEST_ID_HEADER = "X-Request-ID"
_GOOD_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def request_id() -> str | None:
    """Return the current request's id, or None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _GOOD_REQUEST_ID.match(given) else uuid.uuid4().hex
    return g.request_id


def log_event(event: str, level: int = logging.INFO, **fields) -> None:
    """Write one structured log line: the event, the request id and ``fields``."""
    record = {"event": event, "request_id": request_id(), **fields}
    if has_request_context():
        record.setdefault("method", request.method)
        record.setdefault("path", request.path)
    events.log(level, json.dumps(record, ensure_ascii=False, default=str, sort_keys=True))


def init_request_logging(app: Flask) -> None:
    """Give every request an id (echoed as X-Request-ID) and log the slow ones."""
    if not events.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        events.addHandler(handler)
        events.setLevel(logging.INFO)

    @app.before_request
    def _start_clock():
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def _finish(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        started = g.get("request_started")
        if started is not None:
            seconds = time.perf_counter() - started
            if seconds >= app.config["SLOW_REQUEST_SECONDS"]:
                log_event(
                    "request.slow",
                    logging.WARNING,
                    seconds=round(seconds, 3),
                    status=response.status_code,
                )
        return response
