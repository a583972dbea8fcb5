"""The index follows the database: services, outbox drain, rebuild, check, failures."""

import shutil
import threading

import pytest
from sqlalchemy import func, select

from marketplace import search
from marketplace.models import Need, SearchOutbox, User
from marketplace.services.exchange import needs
from marketplace.services.search import search_index
from tests.factories import make_need, make_offer, make_user
from tests.helpers.forms import need_form


def found(text: str = "", **filters) -> list[str]:
    result = search_index.search_listings(text, search.Filters(**filters), per_page=100)
    return sorted(hit["key"] for hit in result.hits)


def outbox(db) -> list[SearchOutbox]:
    return db.session.scalars(select(SearchOutbox).order_by(SearchOutbox.id)).all()


def test_a_need_created_edited_and_withdrawn_through_the_services(db):
    staff = make_user("community")
    need = needs.create_need(staff, need_form(title="居民象棋比赛裁判"), publish=True)
    key = f"need:{need.id}"
    assert found("象棋") == [key]
    assert outbox(db) == []  # drained right after the commit

    needs.update_need(staff, need.id, {"title": "居民围棋比赛裁判"})
    assert found("象棋") == []
    assert found("围棋") == [key]

    needs.withdraw_need(staff, need.id)
    assert found("围棋") == []
    assert key not in {p.key for p in search_index.check()} and search_index.check() == []


def test_drafts_stay_out_until_published(db):
    staff = make_user("community")
    need = needs.create_need(staff, need_form(title="冬季爱心物资捐赠"))
    assert found("捐赠") == []
    needs.publish_need(staff, need.id)
    assert found("捐赠") == [f"need:{need.id}"]


def test_offers_follow_kind_visibility_and_fields(db):
    room = make_offer(kind="facility", title="县医院共享会议室", capacity=60, is_free=True)
    parking = make_offer(
        kind="facility", facility_kind="parking", title="夜间免费停车位", capacity=12
    )
    assert found("会议室") == [f"facility:{room.id}"]
    assert found("停车") == [f"facility:{parking.id}"]
    assert found(kind="facility", min_capacity=50) == [f"facility:{room.id}"]
    room.is_public = False
    db.session.commit()
    assert found("会议室") == []


def test_rebuild_gives_the_same_results_as_incremental_updates(db):
    staff = make_user("community")
    for title in ("法律咨询", "法律援助", "老旧小区清洁"):
        needs.create_need(staff, need_form(title=title), publish=True)
    make_offer(kind="facility", title="共享会议室", capacity=30)
    make_need(title="草稿需求法律", status="draft")
    queries = ["法律", "会议室", "清洁", "", "社区"]
    incremental = {text: found(text) for text in queries}
    assert search_index.rebuild() > 0
    assert {text: found(text) for text in queries} == incremental
    assert search_index.check() == []


def test_check_finds_a_divergence_injected_on_purpose(app, db):
    kept = make_need(title="法律咨询")
    changed = make_need(title="老年助餐")
    removed = make_need(title="便民维修")
    assert search_index.check() == []
    root = search_index.index_root()
    with search.locked():
        ghost = {"key": "need:999999", "kind": "need", "id": 999999, "title": "幽灵需求"}
        stale = {"key": f"need:{changed.id}", "kind": "need", "id": changed.id, "title": "旧标题"}
        search.write(root, [ghost, stale], [f"need:{removed.id}"])
    problems = {(p.key, p.problem) for p in search_index.check()}
    assert problems == {
        ("need:999999", "extra"),
        (f"need:{changed.id}", "stale"),
        (f"need:{removed.id}", "missing"),
    }
    assert f"need:{kept.id}" not in {key for key, _ in problems}
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and "need:999999" in result.output
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    shutil.rmtree(root)
    search.store.forget_searchers()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and f"need:{kept.id}\tmissing" in result.output


def test_an_index_failure_loses_nothing_and_is_repaired(db, monkeypatch):
    """An index failure loses nothing: the change survives, waits in the outbox, a retry applies."""
    make_need(title="首条需求")  # the index exists

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(search_index, "write_index", broken)
    staff = make_user("community")
    need = needs.create_need(staff, need_form(title="困难居民法律援助"), publish=True)
    assert db.session.get(Need, need.id).status == "published"
    pending = [row for row in outbox(db) if row.doc_key == f"need:{need.id}"]
    assert pending and pending[0].attempts == 1 and "disk full" in pending[0].last_error
    assert f"need:{need.id}" in {p.key for p in search_index.check()}

    monkeypatch.undo()
    assert search_index.drain() >= 1
    assert found("法律援助") == [f"need:{need.id}"]
    assert outbox(db) == [] and search_index.check() == []


def test_replaying_an_update_leaves_one_document(db):
    """Replaying an index update twice leaves one document."""
    need = make_need(title="社区篮球赛借用运动场")
    db.session.add_all([SearchOutbox(doc_key=f"need:{need.id}") for _ in range(3)])
    db.session.commit()
    search_index.drain()
    search_index.drain()
    result = search_index.search_listings("篮球")
    assert result.total == 1 and [h["key"] for h in result.hits] == [f"need:{need.id}"]


def test_two_writers_at_once_fail_nobody(app, db):
    """Concurrent commits queue on the index lock; the index equals the database after."""
    make_need(title="首条需求")
    staff_id = make_user("community").id
    db.session.commit()
    errors: list[Exception] = []
    barrier = threading.Barrier(4, timeout=60)

    def post(number: int):
        from marketplace.extensions import db as thread_db

        with app.app_context():
            try:
                barrier.wait()
                actor = thread_db.session.get(User, staff_id)
                needs.create_need(actor, need_form(title=f"并发法律咨询{number}"), publish=True)
            except Exception as error:  # pragma: no cover - reported by the assertion
                errors.append(error)
            finally:
                thread_db.session.remove()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a thread hung"
    assert errors == []
    search_index.drain()
    assert len(found("并发")) == 4
    assert search_index.check() == []


def test_a_withdrawn_listing_never_shows_even_if_the_index_lags(db, monkeypatch):
    """Hits are re-checked against the database before they are shown."""
    staff = make_user("community")
    need = needs.create_need(staff, need_form(title="高层住宅消防安全检查"), publish=True)
    assert found("消防") == [f"need:{need.id}"]
    monkeypatch.setattr(search_index, "write_index", lambda *a, **k: 1 / 0)
    needs.withdraw_need(staff, need.id)
    assert found("消防") == []
    assert search_index.search_listings("消防").total == 0


def test_a_corrupt_or_missing_index_is_rebuilt(db, tmp_path):
    """A corrupt or missing index is rebuilt (service level; test_search_pages has the pages)."""
    need = make_need(title="老年人智能手机使用培训")
    root = search.store.current_generation(search_index.index_root())
    for path in root.iterdir():
        path.write_bytes(b"\x00garbage")
    search.store.forget_searchers()
    assert found("智能手机") == [f"need:{need.id}"]
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 0


@pytest.mark.parametrize("status", ["draft", "withdrawn", "expired"])
def test_hidden_statuses_are_never_indexed(db, status):
    make_need(title="防范电信诈骗宣传", status=status)
    assert found("诈骗") == []
    search_index.rebuild()
    assert found("诈骗") == []


def test_a_missing_large_index_is_left_to_the_rebuild_command(app, db):
    make_need(title="首条需求")
    shutil.rmtree(search_index.index_root())
    app.config["SEARCH_INLINE_REBUILD_LIMIT"] = 1
    need = make_need(title="社区趣味运动会")  # the drain declines to rebuild inline
    assert f"need:{need.id}" in {row.doc_key for row in outbox(db)}
    assert app.test_cli_runner().invoke(args=["search", "rebuild"]).exit_code == 0
    assert found("运动会") == [f"need:{need.id}"]
    assert outbox(db) == []


def test_a_claim_at_the_same_instant_as_the_last_edit_still_reaches_the_index(db, monkeypatch):
    """The claim moves the quantity with a Core UPDATE; the index must hear of it even when
    the need's ``updated_at`` does not change (two writes within one clock tick)."""
    from datetime import UTC, datetime

    from marketplace import clock
    from marketplace.services.exchange import claims
    from tests.factories import make_unit

    moment = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "_system_now", lambda: moment)
    need = make_need(quantity=4)
    need.updated_at = moment
    db.session.commit()
    search_index.rebuild()
    secretary = make_user("unit", unit=make_unit())
    claims.claim_need(secretary, need.id, 4)
    assert search_index.check() == []
