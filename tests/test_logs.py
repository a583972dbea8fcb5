"""Structured logs with a request id: refusals, slow requests, repairs."""

import json
import logging

import pytest

from marketplace.logs import log_event

EVENTS = "marketplace.events"


def _events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == EVENTS]


def test_a_request_id_is_echoed_or_made(app, client):
    given = client.get("/healthz", headers={"X-Request-ID": "nginx-42.abc"})
    assert given.headers["X-Request-ID"] == "nginx-42.abc"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz").headers["X-Request-ID"]
    hostile = client.get("/healthz", headers={"X-Request-ID": 'a b"<script>'})
    assert hostile.headers["X-Request-ID"] != 'a b"<script>'


def test_refusals_are_logged_as_json_with_the_request_id(app, client, caplog):
    caplog.set_level(logging.INFO, logger=EVENTS)
    response = client.get("/api/v1/needs/999999", headers={"X-Request-ID": "trace-1"})
    assert response.status_code == 404
    refused = [e for e in _events(caplog) if e["event"] == "request.refused"]
    assert refused == [
        {
            "event": "request.refused",
            "request_id": "trace-1",
            "method": "GET",
            "path": "/api/v1/needs/999999",
            "status": 404,
            "error": "NotFound",
            "field": None,
            "reason": refused[0]["reason"],
        }
    ]


def test_throttled_logins_are_logged(app, client, caplog):
    caplog.set_level(logging.INFO, logger=EVENTS)
    limit, _window = app.config["LOGIN_RATE_LIMIT"]
    for _ in range(limit + 1):
        client.post("/login", data={"username": "ghost", "password": "wrong-password"})
    assert any(e["event"] == "login.throttled" for e in _events(caplog))


@pytest.fixture
def app_config():
    return {"SLOW_REQUEST_SECONDS": 0.0}


def test_slow_requests_are_logged(app, client, caplog):
    caplog.set_level(logging.INFO, logger=EVENTS)
    client.get("/healthz", headers={"X-Request-ID": "slow-1"})
    slow = [e for e in _events(caplog) if e["event"] == "request.slow"]
    assert slow and slow[0]["request_id"] == "slow-1" and slow[0]["seconds"] >= 0


def test_log_event_outside_a_request_and_index_repairs(app, caplog):
    from marketplace.services.search import search_index

    caplog.set_level(logging.INFO, logger=EVENTS)
    log_event("pairing.solver_fallback", reason="priced LP gave up", rounds=50)
    search_index.rebuild()
    events = {e["event"]: e for e in _events(caplog)}
    assert events["pairing.solver_fallback"]["request_id"] is None
    assert events["pairing.solver_fallback"]["rounds"] == 50
    assert "documents" in events["search.index_rebuilt"]
