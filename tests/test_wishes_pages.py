"""微心愿 pages: the public wall (masked, filters), posting, claiming and confirming."""

from datetime import timedelta

from sqlalchemy import select

from marketplace import clock
from marketplace.models.wishes import Wish
from marketplace.services.wishes import wishes
from tests.factories import PASSWORD, make_member, make_user
from tests.pages_helpers import ESCAPED_SCRIPT, HOSTILE, count, signed_in


def _deadline() -> str:
    return (clock.today() + timedelta(days=10)).isoformat()


def test_staff_post_on_the_page_and_the_wall_shows_it_masked(app, db, client):
    _staff, staff_client = signed_in(app, "community")
    response = staff_client.post(
        "/wishes/desk/new",
        data={
            "title": "一件棉衣",
            "description": HOSTILE,
            "value_yuan": "120",
            "resident_name": "张桂芳",
            "deadline": _deadline(),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    wall = client.get("/wishes/").get_data(as_text=True)
    assert "一件棉衣" in wall and "张**" in wall and "张桂芳" not in wall
    wish_id = db.session.scalar(select(Wish.id))
    public = client.get(f"/wishes/{wish_id}").get_data(as_text=True)
    assert ESCAPED_SCRIPT in public and "<script>alert" not in public and "张桂芳" not in public
    own = staff_client.get(f"/wishes/{wish_id}").get_data(as_text=True)
    assert "张桂芳" in own  # the community's own staff see the name


def test_over_the_cap_re_renders_with_a_chinese_message(app):
    _staff, staff_client = signed_in(app, "community")
    response = staff_client.post(
        "/wishes/desk/new",
        data={
            "title": "电视机",
            "value_yuan": "3000",
            "resident_name": "王伟",
            "deadline": _deadline(),
        },
    )
    assert response.status_code == 400 and "300" in response.get_data(as_text=True)
    assert count(Wish) == 0


def test_a_member_claims_on_the_page_and_staff_confirm(app, client):
    staff, staff_client = signed_in(app, "community")
    wish = wishes.post_wish(
        staff,
        {
            "title": "助听器电池",
            "value_yuan": 40,
            "resident_name": "赵大爷",
            "deadline": _deadline(),
        },
    )
    member = make_member()
    client.post("/login", data={"username": member.user.username, "password": PASSWORD})
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "我来认领" in page
    assert client.post(f"/wishes/desk/{wish.id}/claim").status_code == 302
    assert "登记兑现情况" in client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    client.post(f"/wishes/desk/{wish.id}/fulfil", data={"note": "已送到赵大爷家"})
    assert "我认领的微心愿" in client.get("/wishes/desk/").get_data(as_text=True)
    staff_client.post(f"/wishes/desk/{wish.id}/confirm", data={"thanks": "谢谢！"})
    assert count(Wish, Wish.status == "confirmed") == 1
    again = staff_client.post(f"/wishes/desk/{wish.id}/confirm", follow_redirects=True)
    assert "不能执行此操作" in again.get_data(as_text=True)


def test_the_wall_filters_and_pages_are_phone_friendly(app, client):
    staff = make_user("community")
    for n in range(3):
        wishes.post_wish(
            staff,
            {"title": f"心愿{n}", "value_yuan": 10, "resident_name": "钱", "deadline": _deadline()},
        )
    page = client.get(f"/wishes/?status=open&community_id={staff.community_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and text.count("wish-card") == 3
    assert client.get("/wishes/?status=bogus").status_code == 400
    assert client.get("/wishes/desk/").status_code == 302  # login first
