"""微心愿: post, claim, fulfil, confirm, withdraw, expire; masking and the value cap."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.models import AuditEntry, Member, Notification, PointEntry
from marketplace.models.wishes import Wish
from marketplace.services.members import checklist
from marketplace.services.wishes import wishes
from tests.factories import make_community, make_member, make_user


def wish_data(**overrides) -> dict:
    values = {
        "title": "一台电饭煲",
        "description": "独居老人家里的电饭煲坏了",
        "value_yuan": 150,
        "resident_name": "李秀英",
        "deadline": (clock.today() + timedelta(days=20)).isoformat(),
    }
    values.update(overrides)
    return values


def post(staff=None, **overrides) -> Wish:
    staff = staff or make_user("community")
    return wishes.post_wish(staff, wish_data(**overrides))


def test_staff_post_a_wish_with_the_resident_masked(app, db):
    wish = post()
    assert (wish.status, wish.resident_name, wish.resident_masked) == ("open", "李秀英", "李**")
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "wish.post")
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("value_yuan", 301, "300"),
        ("value_yuan", 0, "价值"),
        ("resident_name", "", "居民姓名"),
        ("title", "", "心愿内容"),
        ("deadline", "2000-01-01", "截止日期"),
        ("deadline", "明天", "YYYY-MM-DD"),
    ],
)
def test_bad_input_is_refused_in_chinese(app, db, field, value, message):
    with pytest.raises(InvalidInput) as refused:
        post(**{field: value})
    assert refused.value.field == field and message in refused.value.message
    assert db.session.scalar(select(func.count(Wish.id))) == 0


def test_the_value_cap_is_a_setting(app, db):
    app.config["WISH_VALUE_CAP_YUAN"] = 500
    assert post(value_yuan=450).value_yuan == 450


def test_only_community_staff_post(app, db):
    for role in ("unit", "member", "dispatcher", "reviewer"):
        with pytest.raises(Forbidden):
            wishes.post_wish(
                make_user(role) if role != "member" else make_member().user, wish_data()
            )


def test_a_member_claims_fulfils_and_staff_confirm_with_thanks(app, db):
    staff = make_user("community")
    wish = post(staff)
    member = make_member()
    wishes.claim_wish(member.user, wish.id)
    assert (wish.status, wish.claimer_kind, wish.claimer_member_id) == (
        "claimed",
        "member",
        member.id,
    )
    assert wish.claimer_unit_id == member.unit_id
    assert "**" in wish.claimer_label and member.name not in wish.claimer_label
    wishes.fulfil_wish(member.user, wish.id, "已买好电饭煲送到老人家中")
    assert wish.status == "fulfilled" and wish.fulfilled_on == clock.today()
    wishes.confirm_wish(staff, wish.id, "谢谢党员同志！")
    assert (wish.status, wish.thanks, wish.confirmed_by_id) == (
        "confirmed",
        "谢谢党员同志！",
        staff.id,
    )
    # the ledger credits the member once, and the checklist item is ticked by this wish
    entries = db.session.scalars(select(PointEntry).where(PointEntry.member_id == member.id)).all()
    assert [(e.source_kind, e.source_id) for e in entries] == [("wish", wish.id)]
    assert db.session.get(Member, member.id).points_balance == entries[0].amount > 0
    items = {item.key: item for item in checklist.for_member(member.id, wish.fulfilled_on.year)}
    assert items["wish"].done and items["wish"].evidence[0].record_id == wish.id
    assert not checklist.for_member(member.id, wish.fulfilled_on.year - 1)[3].done
    notified = db.session.scalars(select(Notification.kind)).all()
    assert {"wish.claimed", "wish.fulfilled", "wish.confirmed"} <= set(notified)


def test_a_unit_claim_earns_no_member_points(app, db):
    staff = make_user("community")
    wish = post(staff)
    secretary = make_user("unit")
    wishes.claim_wish(secretary, wish.id)
    wishes.fulfil_wish(secretary, wish.id, "单位购买后送达")
    wishes.confirm_wish(staff, wish.id)
    assert db.session.scalar(select(func.count(PointEntry.id))) == 0


def test_a_unit_claims_and_any_secretary_of_that_unit_fulfils(app, db):
    wish = post()
    secretary = make_user("unit")
    colleague = make_user("unit", unit=secretary.unit)
    wishes.claim_wish(secretary, wish.id)
    assert wish.claimer_label == secretary.unit.name
    wishes.fulfil_wish(colleague, wish.id, "单位购买后送达")
    assert wish.status == "fulfilled"


def test_a_second_claimer_gets_a_conflict_worded_from_the_row(app, db):
    wish = post()
    wishes.claim_wish(make_user("unit"), wish.id)
    with pytest.raises(Conflict, match="已被认领"):
        wishes.claim_wish(make_member().user, wish.id)


def test_only_the_claimer_fulfils_and_only_the_own_community_confirms(app, db):
    staff = make_user("community")
    wish = post(staff)
    member = make_member()
    wishes.claim_wish(member.user, wish.id)
    with pytest.raises(Forbidden):
        wishes.fulfil_wish(make_member().user, wish.id, "不是我认领的")
    with pytest.raises(Forbidden):
        wishes.fulfil_wish(make_user("unit", unit=member.unit), wish.id, "同单位书记也不行")
    with pytest.raises(Conflict):  # not fulfilled yet
        wishes.confirm_wish(staff, wish.id)
    wishes.fulfil_wish(member.user, wish.id, "已送达")
    with pytest.raises(Forbidden):
        wishes.confirm_wish(make_user("community"), wish.id)
    with pytest.raises(InvalidInput):
        wishes.fulfil_wish(member.user, wish.id, "")


def test_a_member_without_a_member_record_cannot_claim(app, db):
    with pytest.raises(Forbidden, match="党员信息"):
        wishes.claim_wish(make_user("member"), post().id)


def test_expire_wishes_is_idempotent_and_leaves_claimed_ones(app, db):
    today = clock.today()
    stale = post()
    claimed = post()
    wishes.claim_wish(make_user("unit"), claimed.id)
    later = today + timedelta(days=30)
    assert wishes.expire_wishes(later) == 1
    assert wishes.expire_wishes(later) == 0
    db.session.expire_all()
    assert db.session.get(Wish, stale.id).status == "expired"
    assert db.session.get(Wish, claimed.id).status == "claimed"
    with pytest.raises(Conflict):
        wishes.claim_wish(make_user("unit"), stale.id)


def test_a_wish_past_its_deadline_cannot_be_claimed_before_the_job_runs(app, db):
    wish = post()
    wish.deadline = clock.today() - timedelta(days=2)
    db.session.commit()
    with pytest.raises(Conflict, match="截止日期"):
        wishes.claim_wish(make_user("unit"), wish.id)


def test_withdrawn_wishes_vanish_from_the_wall(app, db):
    staff = make_user("community")
    wish = post(staff)
    wishes.withdraw_wish(staff, wish.id)
    with pytest.raises(NotFound):
        wishes.get_wish(wish.id)
    assert wishes.wall_page(wishes.WishFilters()).total == 0


def test_wall_filters_by_community_and_status(app, db):
    one, other = make_community(), make_community()
    post(make_user("community", community=one))
    second = post(make_user("community", community=other))
    wishes.claim_wish(make_user("unit"), second.id)
    assert wishes.wall_page(wishes.WishFilters(community_id=one.id)).total == 1
    assert wishes.wall_page(wishes.WishFilters(status="claimed")).items == [second]
    with pytest.raises(InvalidInput):
        wishes.wall_page(wishes.WishFilters(status="nonsense"))
    counts = wishes.wish_counts("community")
    assert (other.id, "claimed", 1) in counts


def test_mine_lists_what_belongs_to_the_viewer(app, db):
    staff = make_user("community")
    wish = post(staff)
    member = make_member()
    wishes.claim_wish(member.user, wish.id)
    assert wishes.mine_page(staff).items == [wish]
    assert wishes.mine_page(member.user).items == [wish]
    assert wishes.mine_page(make_user("unit")).total == 0
    with pytest.raises(Forbidden):
        wishes.mine_page(make_user("reviewer"))
