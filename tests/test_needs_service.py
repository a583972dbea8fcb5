"""Needs service: create, edit, publish, withdraw, visibility, browsing, expiry."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.models import AuditEntry, Claim, Need, Notification, PairingPlan, PlanPair
from marketplace.services.audit import history
from marketplace.services.exchange import claims, needs
from tests.factories import make_community, make_need, make_user, service_type


def _form(**overrides):
    data = {
        "type_id": service_type().id,
        "title": "老旧小区清洁",
        "description": "需要志愿者清理楼道",
        "quantity": "12",
        "measure_unit": "people",
        "starts_on": clock.today().isoformat(),
        "ends_on": (clock.today() + timedelta(days=30)).isoformat(),
        "urgency": "2",
    }
    data.update(overrides)
    return data


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_need_as_draft_and_publish(db):
    staff = make_user("community")
    need = needs.create_need(staff, _form())
    assert (need.status, need.quantity, need.claimed) == ("draft", 12, 0)
    assert need.community_id == staff.community_id
    assert needs.publish_need(staff, need.id).status == "published"
    actions = [entry.action for entry in history("need", need.id)]
    assert actions == ["need.publish", "need.create"]  # newest first
    assert history("need", need.id)[0].before["status"] == "draft"
    assert history("need", need.id)[0].after["status"] == "published"


def test_create_need_published_at_once_ignores_extra_fields(db):
    staff = make_user("community")
    other = make_community()
    need = needs.create_need(
        staff,
        _form(status="completed", claimed=5, community_id=other.id, owner_id=1),
        publish=True,
    )
    assert (need.status, need.claimed, need.community_id) == ("published", 0, staff.community_id)


BAD_NEED_FIELDS = [
    ("title", "", "请填写标题"),
    ("title", "长" * 101, "不能超过 100"),
    ("quantity", "0", "数量应在 1 到"),
    ("quantity", "很多", "数量必须是整数"),
    ("type_id", "99999", "有效的需求类型"),
    ("measure_unit", "tons", "计量单位无效"),
    ("urgency", "7", "紧急程度应在 1 到 3"),
    ("ends_on", "2020-13-01", "YYYY-MM-DD"),
    ("ends_on", (clock.today() - timedelta(days=1)).isoformat(), "不能早于"),
]


def test_bad_input_is_refused_field_by_field_and_nothing_written(db):
    staff = make_user("community")
    # One database for all cases: each refusal must leave nothing behind.
    for field, value, message in BAD_NEED_FIELDS:
        with pytest.raises(InvalidInput) as refused:
            needs.create_need(staff, _form(**{field: value}))
        assert (refused.value.field, message in refused.value.message) == (field, True)
        db.session.rollback()
    assert _count(db, Need) == 0


def test_all_bad_fields_are_reported_together(db):
    staff = make_user("community")
    with pytest.raises(InvalidInput) as refused:
        needs.create_need(staff, _form(title="", quantity="-1"))
    assert set(refused.value.errors) == {"title", "quantity"}


def test_window_must_be_ordered(db):
    staff = make_user("community")
    start = clock.today() + timedelta(days=10)
    with pytest.raises(InvalidInput) as refused:
        needs.create_need(staff, _form(starts_on=start, ends_on=start - timedelta(days=1)))
    assert refused.value.field == "ends_on"


def test_only_community_staff_create_needs(db):
    with pytest.raises(Forbidden):
        needs.create_need(make_user("unit"), _form())
    with pytest.raises(Forbidden):
        needs.create_need(None, _form())


def test_update_own_need_keeps_quantity_above_claimed(db):
    staff = make_user("community")
    need = make_need(community=staff.community, quantity=10)
    claims.claim_need(make_user("unit"), need.id, 6)
    with pytest.raises(InvalidInput) as refused:
        needs.update_need(staff, need.id, {"quantity": 5})
    assert refused.value.field == "quantity"
    db.session.rollback()
    updated = needs.update_need(staff, need.id, {"quantity": 6, "title": "新标题"})
    # Lowering the quantity to what is claimed fills the need.
    assert (updated.quantity, updated.status, updated.title) == (6, "fully_claimed", "新标题")
    entry = history("need", need.id)[0]
    assert entry.before["quantity"] == 10 and entry.after["quantity"] == 6


def test_another_communitys_need_is_refused_and_unchanged(db):
    need = make_need(title="原标题")
    intruder = make_user("community")
    for action in (
        lambda: needs.update_need(intruder, need.id, {"title": "改了"}),
        lambda: needs.publish_need(intruder, need.id),
        lambda: needs.withdraw_need(intruder, need.id),
    ):
        with pytest.raises(Forbidden):
            action()
        db.session.rollback()
    db.session.refresh(need)
    assert (need.title, need.status) == ("原标题", "published")
    with pytest.raises(NotFound):
        needs.update_need(intruder, 999999, {})


def test_wrong_state_transitions_are_refused(db):
    staff = make_user("community")
    need = make_need(community=staff.community, status="in_progress", claimed=10)
    for action in (
        lambda: needs.update_need(staff, need.id, {"title": "x"}),
        lambda: needs.publish_need(staff, need.id),
        lambda: needs.withdraw_need(staff, need.id),
    ):
        with pytest.raises(Conflict):
            action()
        db.session.rollback()
    assert db.session.get(Need, need.id).status == "in_progress"


def test_withdraw_declines_open_claims_and_notifies(db):
    staff = make_user("community")
    unit_user = make_user("unit")
    need = make_need(community=staff.community, quantity=10, claimed=4, status="partly_claimed")
    db.session.add(Claim(need=need, unit_id=unit_user.unit_id, quantity=4, status="accepted"))
    db.session.commit()
    withdrawn = needs.withdraw_need(staff, need.id)
    assert (withdrawn.status, withdrawn.claimed) == ("withdrawn", 0)
    assert db.session.scalar(select(Claim.status)) == "declined"
    assert db.session.scalar(select(func.count()).where(Notification.user_id == unit_user.id))
    with pytest.raises(Conflict):
        needs.withdraw_need(staff, need.id)


def test_drafts_are_visible_only_to_their_community(db):
    staff = make_user("community")
    draft = make_need(community=staff.community, status="draft")
    assert needs.get_need(staff, draft.id).id == draft.id
    for viewer in (None, make_user("unit"), make_user("community")):
        with pytest.raises(NotFound):
            needs.get_need(viewer, draft.id)
    public = make_need(status="published")
    assert needs.get_need(None, public.id).id == public.id


def test_needs_page_filters_and_hides_drafts(db):
    a = make_community()
    b = make_community()
    first = make_need(community=a, title="法律咨询进社区")
    make_need(community=b, service_type=service_type("homework_tutoring"))
    make_need(community=a, status="draft")
    make_need(community=a, status="completed")
    all_public = needs.needs_page(None, needs.NeedFilters())
    assert all_public.total == 3
    by_community = needs.needs_page(None, needs.NeedFilters(community_id=a.id, status="open"))
    assert [n.id for n in by_community.items] == [first.id]
    by_township = needs.needs_page(None, needs.NeedFilters(township_id=b.township_id))
    assert by_township.total == 1
    category = service_type("homework_tutoring").category_id
    assert needs.needs_page(None, needs.NeedFilters(category_id=category)).total == 1
    assert needs.needs_page(None, needs.NeedFilters(q="法律")).items[0].id == first.id
    with pytest.raises(InvalidInput):
        needs.needs_page(None, needs.NeedFilters(status="draft"))


def test_unit_sees_paired_communitys_needs_first(db):
    unit_user = make_user("unit")
    paired, other = make_community(), make_community()
    make_need(community=other, urgency=3)
    paired_need = make_need(community=paired, urgency=1)
    plan = PairingPlan(county_id=unit_user.unit.county_id, version=1, status="published")
    plan.pairs.append(PlanPair(unit_id=unit_user.unit_id, community_id=paired.id))
    db.session.add(plan)
    db.session.commit()
    assert needs.needs_page(unit_user).items[0].id == paired_need.id
    assert needs.needs_page(None).items[0].id != paired_need.id


def test_community_needs_page_shows_own_needs_in_every_state(db):
    staff = make_user("community")
    make_need(community=staff.community, status="draft")
    make_need(community=staff.community, status="withdrawn")
    make_need()
    assert needs.community_needs_page(staff).total == 2
    assert needs.community_needs_page(staff, status="draft").total == 1
    with pytest.raises(Forbidden):
        needs.community_needs_page(make_user("unit"))


def test_expire_overdue_needs_only_unclaimed(db):
    past = clock.today() - timedelta(days=1)
    stale = make_need(starts_on=past - timedelta(days=5), ends_on=past)
    claimed = make_need(
        starts_on=past - timedelta(days=5), ends_on=past, claimed=2, status="partly_claimed"
    )
    fresh = make_need()
    assert needs.expire_overdue_needs() == 1
    statuses = {n.id: n.status for n in db.session.scalars(select(Need))}
    assert statuses == {stale.id: "expired", claimed.id: "partly_claimed", fresh.id: "published"}
    assert (
        db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == stale.id))
        == "need.expire"
    )


def test_ids_beyond_the_integer_range_are_not_found_or_refused(db):
    staff = make_user("community")
    huge = 10**20
    for call in (
        lambda: needs.get_need(None, huge),
        lambda: needs.update_need(staff, huge, {}),
        lambda: needs.withdraw_need(staff, huge),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(InvalidInput) as refused:
        needs.needs_page(None, needs.NeedFilters(community_id=huge))
    assert refused.value.field == "community_id"
    with pytest.raises(InvalidInput) as refused:
        needs.create_need(staff, _form(type_id=huge))
    assert refused.value.field == "type_id"
    assert needs.needs_page(None, page=huge).items == []


def test_expire_command_closes_overdue_unclaimed_needs(app, db):
    overdue = make_need(
        starts_on=clock.today() - timedelta(days=30), ends_on=clock.today() - timedelta(days=1)
    )
    current = make_need()
    result = app.test_cli_runner().invoke(args=["needs", "expire"])
    assert result.exit_code == 0 and "1 条" in result.output
    db.session.expire_all()
    assert (db.session.get(Need, overdue.id).status, db.session.get(Need, current.id).status) == (
        "expired",
        "published",
    )
