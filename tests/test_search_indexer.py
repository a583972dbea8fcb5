"""Who applies index updates: retries, start-up and timed drains, the background thread."""

import threading
import time

import pytest
from sqlalchemy import select

from marketplace import search
from marketplace.models import SearchOutbox
from marketplace.services.search import search_index, search_indexer
from tests.factories import make_need
from tests.helpers.forms import need_form


def found(text: str) -> list[str]:
    from marketplace.extensions import db

    result = search_index.search_listings(text, per_page=100)
    db.session.commit()  # SQLite: every transaction holds the write lock the indexer needs
    return sorted(hit["key"] for hit in result.hits)


def wait_for(condition, timeout: float = 5.0) -> float:
    """Poll ``condition`` until true; return the seconds it took (fail after timeout)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"not true within {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def background(app):
    """Run the app's background indexer (a short timer); stop it after the test."""
    app.config.update(SEARCH_INDEXER="thread", SEARCH_DRAIN_INTERVAL=0.2)
    yield lambda: search_indexer.indexer(app)
    search_indexer.stop(app)


def leftover(db, monkeypatch, title: str):
    """A listing committed whose index update was never applied (as after a crash)."""
    monkeypatch.setattr(search_index, "write_index", lambda *a, **k: 1 / 0)
    need = make_need(title=title)
    monkeypatch.undo()
    db.session.commit()
    return f"need:{need.id}"


def test_a_brief_open_failure_while_a_commit_runs_is_retried_not_a_503(app, db, monkeypatch):
    make_need(title="社区法律咨询")
    search.store.forget_searchers()
    real_open = search.store.whoosh_index.open_dir
    failures = iter([OSError("segment merged away")])

    def flaky_open(*args, **kwargs):
        error = next(failures, None)
        if error:
            raise error
        return real_open(*args, **kwargs)

    monkeypatch.setattr(search.store.whoosh_index, "open_dir", flaky_open)
    client = app.test_client()
    with search.locked():  # an indexer is committing right now
        response = client.get("/api/v1/search?q=法律")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["total"] == 1


def test_leftover_updates_are_applied_at_start_up_and_then_on_a_timer(
    app, db, monkeypatch, background
):
    make_need(title="首条需求")
    search_index.rebuild()
    first = leftover(db, monkeypatch, "居民象棋比赛裁判")
    assert first in db.session.scalars(select(SearchOutbox.doc_key)).all()
    assert found("象棋") == []
    background()  # a process starts: it drains what the last one left
    wait_for(lambda: found("象棋") == [first])
    second = leftover(db, monkeypatch, "居民围棋比赛裁判")  # nobody wakes the indexer
    wait_for(lambda: found("围棋") == [second])
    wait_for(lambda: not db.session.scalars(select(SearchOutbox)).all() or db.session.commit())


def test_in_thread_mode_the_request_only_queues_and_the_thread_applies(
    app, db, monkeypatch, background
):
    make_need(title="首条需求")
    search_index.rebuild()
    running = background()
    writers: list[str] = []
    real_write = search_index.write_index

    def recording_write(*args, **kwargs):
        writers.append(threading.current_thread().name)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(search_index, "write_index", recording_write)
    client = app.test_client()
    wait_for(lambda: running.passes > 0)
    need = make_need(title="老年人智能手机培训")
    db.session.commit()
    key = f"need:{need.id}"  # once: a refresh between polls would hold the write lock
    db.session.commit()
    waited = wait_for(lambda: found("智能手机") == [key])
    assert waited < 2.0
    assert writers and set(writers) == {"search-indexer"}
    assert client.get("/api/v1/search?q=智能手机").get_json()["total"] == 1


def test_many_writers_in_threads_while_one_indexer_at_a_time_drains(
    app, db, monkeypatch, background
):
    """Writes only queue; two indexers compete, one applies at a time."""
    from marketplace.models import User
    from marketplace.services.exchange import needs
    from tests.factories import make_user

    make_need(title="首条需求")
    search_index.rebuild()
    staff_id = make_user("community").id
    db.session.commit()
    background()
    rival = search_indexer.BackgroundIndexer(app).start()  # another worker's thread
    active, most, guard = [0], [0], threading.Lock()
    real_write = search_index.write_index

    def counting_write(*args, **kwargs):
        with guard:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            time.sleep(0.02)
            return real_write(*args, **kwargs)
        finally:
            with guard:
                active[0] -= 1

    monkeypatch.setattr(search_index, "write_index", counting_write)
    barrier, errors = threading.Barrier(4, timeout=60), []

    def post(number: int):
        from marketplace.extensions import db as thread_db

        with app.app_context():
            try:
                barrier.wait(timeout=10)
                actor = thread_db.session.get(User, staff_id)
                for item in range(3):
                    title = f"并发写入第{number}组第{item}条象棋"
                    needs.create_need(actor, need_form(title=title), publish=True)
            except Exception as error:  # pragma: no cover - reported by the assertion
                errors.append(error)
            finally:
                thread_db.session.remove()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    rival.stop()
    assert errors == [] and not any(thread.is_alive() for thread in threads)
    wait_for(lambda: len(found("象棋")) == 12)
    assert most[0] == 1
    assert search_index.check() == []


def test_a_separate_worker_process_applies_the_updates(app, db, tmp_path):
    import os
    import subprocess
    import sys

    make_need(title="首条需求")
    search_index.rebuild()
    db.session.commit()
    app.config["SEARCH_INDEXER"] = "off"  # the web process only queues
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "INSTANCE_DIR": str(tmp_path / "instance"),
    }
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    worker = subprocess.Popen(
        [flask, "--app", "wsgi", "search", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    need = make_need(title="社区围棋比赛裁判")
    db.session.commit()
    # read once: refreshing need.id between polls would open a transaction that holds
    # SQLite's write lock through each sleep and starve the worker's BEGIN IMMEDIATE
    key = f"need:{need.id}"
    db.session.commit()
    try:
        deadline = time.monotonic() + 60  # a cold start imports NumPy, SciPy and jieba
        while found("围棋") != [key] and time.monotonic() < deadline:
            assert worker.poll() is None, worker.communicate()[0]
            time.sleep(0.1)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=10)[0]
    assert found("围棋") == [key], output
    assert "搜索索引更新进程已启动" in output
