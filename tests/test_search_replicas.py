"""Several index copies follow one change log, each with its own cursor."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from marketplace import create_app, search
from marketplace.models import SearchOutbox, SearchReplica
from marketplace.models._common import utcnow
from marketplace.search.changelog import Cursor
from marketplace.services.search import search_index, search_indexer
from tests.factories import make_need


@pytest.fixture
def second(app, tmp_path):
    """A second machine: the same database, its own index folder."""
    other = create_app({**app.config, "SEARCH_INDEX_DIR": str(tmp_path / "machine-b")})
    return other


def on(app, function, *args, **kwargs):
    """Run ``function`` on machine ``app`` (the test's own transaction ended first)."""
    from marketplace.extensions import db

    db.session.commit()  # SQLite: an open transaction holds the write lock
    with app.app_context():
        try:
            return function(*args, **kwargs)
        finally:
            db.session.remove()


def keys(text: str) -> list[str]:
    return sorted(hit["key"] for hit in search_index.search_listings(text, per_page=100).hits)


def log_ids(db) -> list[int]:
    return db.session.scalars(select(SearchOutbox.id).order_by(SearchOutbox.id)).all()


def test_two_index_folders_follow_one_log(app, db, second):
    make_need(title="首条需求")
    on(second, search_index.drain)  # machine B builds its copy and registers
    need = make_need(title="社区象棋比赛裁判")
    db.session.commit()
    assert keys("象棋") == [f"need:{need.id}"]  # machine A applied it at once (inline)
    kept = log_ids(db)
    assert kept  # B has not passed these rows: nothing is deleted
    assert on(second, keys, "象棋") == []
    assert on(second, search_index.drain) >= 1
    assert on(second, keys, "象棋") == [f"need:{need.id}"]
    search_index.drain()
    assert log_ids(db) == []  # both passed: trimmed
    names = {r.name for r in db.session.scalars(select(SearchReplica))}
    assert names == {search_indexer.replica_name(), on(second, search_indexer.replica_name)}
    assert on(second, search_index.check) == [] and search_index.check() == []


def test_a_replica_left_behind_past_the_age_limit_rebuilds(app, db, second):
    make_need(title="首条需求")
    on(second, search_index.drain)
    need = make_need(title="防范电信诈骗宣传")
    db.session.execute(update(SearchOutbox).values(created_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    search_index.drain()  # A applies, then trims by age: B had not passed those rows
    assert log_ids(db) == []
    b_name = on(second, search_indexer.replica_name)
    assert db.session.get(SearchReplica, b_name).needs_rebuild
    on(second, search_index.drain)  # B rebuilds instead of missing the trimmed rows
    assert on(second, keys, "诈骗") == [f"need:{need.id}"]
    db.session.expire_all()
    assert not db.session.get(SearchReplica, b_name).needs_rebuild


def test_a_retired_replica_can_be_forgotten(app, db, second):
    make_need(title="首条需求")
    on(second, search_index.drain)
    make_need(title="社区篮球赛")
    assert log_ids(db)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["search", "replicas"])
    assert "（本机）" in listed.output and "落后" in listed.output
    b_name = on(second, search_indexer.replica_name)
    assert runner.invoke(args=["search", "replicas", "--forget", b_name]).exit_code == 0
    search_index.drain()
    assert log_ids(db) == []
    assert runner.invoke(args=["search", "replicas", "--forget", "nobody"]).exit_code == 1


def test_the_cursor_waits_for_a_gap_then_gives_it_up():
    now = [0.0]
    cursor = Cursor(gap_timeout=10, clock=lambda: now[0])
    assert cursor.advance(0, [1, 2, 3]) == 3
    # row 4 is still being written by a slow transaction; 5 and 6 are visible
    assert cursor.advance(3, [5, 6]) == 3
    assert cursor.pending([5, 6, 7]) == [7]  # applied rows are not applied again
    assert cursor.advance(3, [4, 7]) == 7  # row 4 arrived: the cursor moves over it
    assert cursor.advance(7, [9]) == 7  # row 8 rolled back: it never arrives
    now[0] = 11.0
    assert cursor.advance(7, []) == 9


def test_sqlite_log_ids_never_go_back(app, db):
    """Replicas' cursors are ids: an emptied log must not number rows from 1 again."""
    make_need(title="首条需求")
    search_index.drain()
    first = db.session.scalar(select(SearchReplica.position))
    assert log_ids(db) == [] and first > 0
    need = make_need(title="社区义诊")
    assert min(log_ids(db) or [first + 1]) > first
    assert keys("义诊") == [f"need:{need.id}"]
    assert search.index_exists(search_index.index_root())
