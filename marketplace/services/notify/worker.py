"""Who delivers the outbox, and when.

``NOTIFY_WORKER`` chooses, per process:

* ``thread`` (default): a background thread in each web process delivers whatever is
  due every ``NOTIFY_INTERVAL`` seconds, and at once after a commit in this process
  queued something. Several processes may run one each: the claims keep every row to
  one worker.
* ``off``: the web process sends nothing; ``flask notify worker`` or the
  ``notify.deliver`` job of ``flask jobs run`` does (tests call ``deliver_due``).
"""

import logging
import os
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.models import Delivery

log = logging.getLogger(__name__)


def mode(app: Flask) -> str:
    value = str(app.config["NOTIFY_WORKER"]).lower()
    return value if value in ("thread", "off") else "thread"


class DeliveryWorker:
    """A daemon thread that delivers the due rows on a timer and when woken."""

    def __init__(self, app: Flask):
        self.app = app
        self.interval = float(app.config["NOTIFY_INTERVAL"])
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pid = os.getpid()
        self.thread = threading.Thread(target=self._run, name="notify-worker", daemon=True)

    def start(self) -> "DeliveryWorker":
        self.thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self.thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self.thread.is_alive() and self._pid == os.getpid()

    def _run(self) -> None:
        from marketplace.extensions import db
        from marketplace.services.notify.outbox import deliver_due

        while not self._stop.is_set():
            self._wake.clear()
            try:
                with self.app.app_context():
                    while deliver_due() and not self._stop.is_set():
                        pass
                    db.session.remove()
            except Exception:
                log.warning("notify worker: delivery pass failed; retrying later", exc_info=True)
            self._wake.wait(self.interval)


_lock = threading.Lock()


def worker(app: Flask) -> DeliveryWorker | None:
    """Return ``app``'s running delivery thread (started on first use), if in thread mode."""
    if mode(app) != "thread":
        return None
    current = app.extensions.get("notify_worker")
    if current is not None and current.alive:
        return current
    with _lock:  # a forked web worker inherits the attribute but not the thread
        current = app.extensions.get("notify_worker")
        if current is None or not current.alive:
            current = app.extensions["notify_worker"] = DeliveryWorker(app).start()
    return current


def stop(app: Flask) -> None:
    """Stop ``app``'s delivery thread, if any (tests, shutdown)."""
    current = app.extensions.pop("notify_worker", None)
    if current is not None:
        current.stop()


def init_app(app: Flask) -> None:
    """Start the delivery thread with the first request of each process."""

    @app.before_request
    def _start_notify_worker():
        worker(app)


@event.listens_for(Session, "after_flush")
def _deliveries_queued(session: Session, _flush_context) -> None:
    if any(isinstance(obj, Delivery) for obj in session.new):
        session.info["notify_dirty"] = True


@event.listens_for(Session, "after_commit")
def _deliveries_committed(session: Session) -> None:
    if not session.info.pop("notify_dirty", False) or not has_app_context():
        return
    running = current_app.extensions.get("notify_worker")
    if running is not None and running.alive:
        running.wake()


@event.listens_for(Session, "after_rollback")
def _deliveries_dropped(session: Session) -> None:
    session.info.pop("notify_dirty", None)
