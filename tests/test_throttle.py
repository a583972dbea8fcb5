"""Throttles hold under a race on both databases.

Thirty threads released together by a barrier: wrong passwords against a limit of 5
may be checked at most 5 times; anonymous booking requests are accepted at most the
hourly allowance. Before the counters were one atomic row, PostgreSQL let 13–15 and 17
through.
"""

import threading
from datetime import UTC, datetime

import pytest

from marketplace.services import accounts, throttle
from marketplace.services.exchange.bookings import ANONYMOUS_PER_HOUR
from tests.concurrency import race
from tests.factories import PASSWORD, make_user
from tests.helpers.bookings import at, make_room

THREADS = 30


@pytest.fixture
def app_config():
    return {"LOGIN_BACKOFF": (600, 3600)}


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(app, db, monkeypatch):
    make_user("unit", username="victim")
    limit, _window = app.config["LOGIN_RATE_LIMIT"]
    checked, lock = [], threading.Lock()
    real_verify = accounts.verify_password

    def counting_verify(password_hash, password):
        with lock:
            checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting_verify)

    def work(index, barrier):
        barrier.wait()
        return accounts.authenticate("victim", f"wrong-{index}", "10.0.0.7")

    outcomes = race(app, db, THREADS, work)
    kinds = [kind for kind, _ in outcomes]
    assert "error" not in kinds and "missing" not in kinds, outcomes
    assert len(checked) <= limit, len(checked)
    assert kinds.count("NotAuthenticated") == len(checked)
    assert kinds.count("TooManyRequests") == THREADS - len(checked)


def test_parallel_anonymous_bookings_are_accepted_at_most_the_allowance(app, db):
    offer_id = make_room().id

    def work(index, barrier):
        from marketplace.services.exchange import bookings

        with app.test_request_context(environ_base={"REMOTE_ADDR": "10.9.9.9"}):
            data = {
                "starts_at": at(9 + index % 8),
                "ends_at": at(10 + index % 8),
                "requester_name": "张晓梅",
                "requester_phone": "0710-5551234",
                "purpose": "楼栋议事会",
            }
            barrier.wait()
            return bookings.request_booking(None, offer_id, data).id

    outcomes = race(app, db, THREADS, work)
    kinds = [kind for kind, _ in outcomes]
    assert "error" not in kinds and "missing" not in kinds, outcomes
    assert kinds.count("ok") == ANONYMOUS_PER_HOUR
    assert kinds.count("TooManyRequests") == THREADS - ANONYMOUS_PER_HOUR


def test_backoff_slows_instead_of_locking_and_is_per_address(app, auth):
    """Point 7: the owner elsewhere still logs in; the guesser waits longer each time."""
    user = make_user("reviewer", username="owner1")
    limit, _window = app.config["LOGIN_RATE_LIMIT"]
    for _ in range(limit):
        assert auth.login("owner1", "wrong-password-x").status_code == 401
    refused = auth.login("owner1", PASSWORD)
    assert refused.status_code == 429
    assert "秒后再试" in refused.get_data(as_text=True)
    elsewhere = auth.client.post(
        "/login",
        data={"username": "owner1", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    assert elsewhere.status_code == 302, "a guesser at another address must not lock the owner"
    assert user.id


def test_backoff_doubles_and_hit_counts_per_window(app, db, monkeypatch):
    clock = [1_000_000.0]  # the county clock, moved forward instead of sleeping
    monkeypatch.setattr(
        throttle.clock, "_system_now", lambda: datetime.fromtimestamp(clock[0], UTC)
    )
    waits = []
    for _ in range(5):
        wait = throttle.backoff("k", free=2, base=10, cap=35, window=900)
        waits.append(wait)
        if wait:
            clock[0] += wait
            waits.append(throttle.backoff("k", free=2, base=10, cap=35, window=900))
    assert waits == [0.0, 0.0, 10.0, 0.0, 20.0, 0.0, 35.0, 0.0]
    assert [throttle.hit("h", 2, 60) for _ in range(3)] == [True, True, False]
    clock[0] += 61
    assert throttle.hit("h", 2, 60) is True
    throttle.reset("k")
    assert throttle.backoff("k", free=2, base=10, cap=35, window=900) == 0.0
