"""The audit page: admins and reviewers, filters, Chinese names."""

from datetime import timedelta

import pytest

from marketplace import clock
from marketplace.errors import Forbidden, InvalidInput
from marketplace.models import AuditEntry
from marketplace.services import audit_log
from marketplace.services.audit_log import AuditFilters
from marketplace.services.exchange import claims
from tests.factories import make_need, make_user


@pytest.fixture
def history(db):
    """A claim proposed by 李建国 of a unit and accepted by 王丽 of the community."""
    staff = make_user("community", display_name="王丽")
    secretary = make_user("unit", display_name="李建国")
    need = make_need(community=staff.community, title="助老陪诊")
    claim = claims.claim_need(secretary, need.id, 2)
    claims.accept_claim(staff, claim.id)
    return staff, secretary, need, claim


def _rows(actor, **filters):
    return audit_log.audit_page(actor, AuditFilters(**filters)).items


def test_entries_read_with_names_and_chinese_actions(db, history):
    staff, _secretary, _need, claim = history
    rows = _rows(make_user("reviewer"), object_type="claim", object_id=claim.id)
    assert [r.action_label for r in rows] == ["接受认领", "认领"]
    assert rows[0].person.startswith("王丽（") and rows[1].person.startswith("李建国（")
    assert staff.username not in rows[0].person
    assert rows[0].object_label == f"认领 #{claim.id}"


def test_filters_by_who_what_object_and_dates(db, history):
    _staff, secretary, need, _claim = history
    admin = make_user("admin")
    assert {r.entry.user_id for r in _rows(admin, who="李建")} == {secretary.id}
    assert {r.entry.action for r in _rows(admin, action="claim.accept")} == {"claim.accept"}
    assert {r.entry.action for r in _rows(admin, action="claim.")} == {
        "claim.propose",
        "claim.accept",
    }
    assert {r.entry.object_id for r in _rows(admin, object_type="need")} == {need.id}
    today = clock.today()
    assert len(_rows(admin, since=today, until=today)) == 3
    assert _rows(admin, since=today + timedelta(days=1)) == []
    assert _rows(admin, until=today - timedelta(days=1)) == []


def test_dates_are_county_days(db, history, monkeypatch):
    entry = db.session.query(AuditEntry).first()
    # 23:30 UTC is 07:30 the next day in China: that entry belongs to the next county day.
    late = clock.utcnow().replace(hour=23, minute=30, second=0, microsecond=0)
    entry.at = late
    db.session.commit()
    county_day = clock.local(late).date()
    ids = {r.entry.id for r in _rows(make_user("admin"), since=county_day, until=county_day)}
    assert entry.id in ids


def test_only_admins_and_reviewers(db, history):
    staff, secretary, _need, _claim = history
    for actor in (staff, secretary, None):
        with pytest.raises(Forbidden):
            audit_log.audit_page(actor, AuditFilters())


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"since": "2026-02-30"}, "since"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until"),
        ({"object_id": "abc"}, "object_id"),
        ({"action": "drop.table"}, "action"),
    ],
)
def test_bad_filters_are_refused_in_chinese(app, args, field):
    with pytest.raises(InvalidInput) as refused:
        audit_log.read_filters(args)
    assert refused.value.field == field


def test_the_page(app, client, history):
    _staff, _secretary, _need, claim = history
    reviewer = make_user("reviewer")
    client.post("/login", data={"username": reviewer.username, "password": "correct-horse-42"})
    page = client.get(f"/audit/?object_type=claim&object_id={claim.id}").get_data(as_text=True)
    assert "认领" in page and "王丽" in page and "李建国" in page and ">claim.propose<" not in page
    bad = client.get("/audit/?since=yesterday")
    assert bad.status_code == 400 and "开始日期格式应为" in bad.get_data(as_text=True)
    nav = client.get("/audit/").get_data(as_text=True)
    assert "操作日志" in nav


def test_other_roles_get_403(app, client, history):
    staff, _secretary, _need, _claim = history
    client.post("/login", data={"username": staff.username, "password": "correct-horse-42"})
    assert client.get("/audit/").status_code == 403
