"""Members' smaller rules: point values saved twice, shop items edited, the consistency
check, and refusals of members and registrations."""

import pytest
from sqlalchemy import select

from marketplace.errors import Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Member, PointRule, ShopItem
from marketplace.services.members import members, points, posts
from tests.factories import make_member, make_post, make_user


def test_point_values_change_and_shop_items_are_edited(app):
    admin = make_user("admin")
    points.set_rules(admin, {"wish": 25, "hotline": 10, "checklist": 40})
    points.set_rules(admin, {"wish": 30, "hotline": 10, "checklist": 40})
    assert db.session.get(PointRule, "wish").points == 30 and points.point_value("wish") == 30
    assert [kind for kind, _label, _value in points.rules()] == ["wish", "hotline", "checklist"]
    staff = make_user("community")
    item = points.save_shop_item(staff, {"name": "大米", "cost": "60", "stock": "5"})
    points.save_shop_item(
        staff, {"name": "大米 5 公斤", "cost": "50", "stock": "4", "active": ""}, item.id
    )
    item = db.session.get(ShopItem, item.id)
    assert (item.name, item.cost, item.stock, item.active) == ("大米 5 公斤", 50, 4, False)
    assert points.shop_items(staff.community_id, active_only=True) == []
    with pytest.raises(NotFound, match="积分超市没有该物品"):
        points.save_shop_item(make_user("community"), {"name": "x", "cost": 1, "stock": 1}, item.id)


def test_the_check_names_a_balance_or_a_post_count_that_drifted(app):
    runner = app.test_cli_runner()
    member = make_member()
    post = make_post(community=member.community, places=3)
    assert runner.invoke(args=["points", "check"]).exit_code == 0
    db.session.execute(
        Member.__table__.update().where(Member.id == member.id).values(points_balance=7)
    )
    db.session.execute(
        post.__table__.update().where(post.__table__.c.id == post.id).values(taken=2)
    )
    db.session.commit()
    result = runner.invoke(args=["points", "check"])
    assert result.exit_code == 1 and f"党员 #{member.id}" in result.output
    assert post.name in result.output
    assert posts.post_counts(member.community_id) == {"places": 3, "taken": 2}


def test_members_and_registrations_are_refused_in_chinese(app):
    with pytest.raises(Forbidden, match="只有在职党员"):
        members.member_of(make_user("unit"))
    with pytest.raises(Forbidden, match="尚未登记为在职党员"):
        members.member_of(make_user("member"))
    assert members.member_or_none(make_user("unit")) is None
    secretary = make_user("unit")
    with pytest.raises(InvalidInput) as refused:
        members.register_member(
            secretary,
            {"name": "王强", "phone": "123", "username": "a b", "home_community_id": 999999},
        )
    errors = refused.value.errors
    assert "手机号码格式不正确" in errors["phone"] and "用户名只能" in errors["username"]
    assert "居住社区" in errors["home_community_id"]
    member, _password = members.register_member(secretary, {"name": "王强", "phone": "13700000009"})
    with pytest.raises(InvalidInput, match="已存在"):
        members.register_member(
            secretary, {"name": "李四", "phone": "13700000010", "username": member.user.username}
        )
    assert db.session.scalar(select(Member.unit_id).where(Member.id == member.id)) == (
        secretary.unit_id
    )
