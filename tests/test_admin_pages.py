"""The administrator's account pages: create bound accounts, disable and enable them."""

from sqlalchemy import func, select

from marketplace.models import AuditEntry, User
from tests.factories import PASSWORD, make_community, make_unit, make_user

CONFIRMED = {"confirmed": "1"}  # said yes to the confirmation (marketplace.web.confirmation)


def test_admin_creates_a_community_account_that_can_log_in(app, db, client, login_as):
    community = make_community()
    login_as("admin")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert community.name in page
    response = client.post(
        "/admin/users/new",
        data={
            "username": "chengnan-li",
            "display_name": "李梅",
            "role": "community",
            "community_id": community.id,
            "unit_id": 0,
            "password": "spring-festival-2027",
            "confirm": "spring-festival-2027",
            "active": "false",  # not a field: ignored
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "chengnan-li"))
    assert (user.role, user.community_id, user.unit_id, user.active) == (
        "community",
        community.id,
        None,
        True,
    )
    client.post("/logout")
    assert (
        client.post(
            "/login", data={"username": "chengnan-li", "password": "spring-festival-2027"}
        ).status_code
        == 302
    )


def test_bad_account_forms_rerender_and_write_nothing(app, db, client, login_as):
    unit = make_unit()
    login_as("admin")
    before = db.session.scalar(select(func.count()).select_from(User))
    cases = [
        ({"role": "unit", "unit_id": 0}, "必须绑定一个单位"),
        ({"role": "unit", "unit_id": unit.id, "password": "123456", "confirm": "123456"}, "8"),
        ({"role": "unit", "unit_id": unit.id, "confirm": "other-password-1"}, "不一致"),
    ]
    for change, message in cases:
        data = {
            "username": "new-user",
            "role": "unit",
            "community_id": 0,
            "unit_id": unit.id,
            "password": "long-enough-pass",
            "confirm": "long-enough-pass",
            **change,
        }
        response = client.post("/admin/users/new", data=data)
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and message in text, (change, text[:200])
        assert 'value="new-user"' in text
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_disable_and_enable_an_account(app, db, client, login_as):
    target = make_user("unit")
    admin = login_as("admin")
    assert client.post(f"/admin/users/{target.id}/disable", data=CONFIRMED).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, target.id).active is False
    assert (
        client.post(f"/admin/users/{admin.id}/disable", data=CONFIRMED).status_code == 400
    )  # not oneself
    assert client.post(f"/admin/users/{target.id}/enable").status_code == 302
    assert client.post(f"/admin/users/{target.id}/explode").status_code == 404
    db.session.expire_all()
    assert db.session.get(User, target.id).active is True
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "user_account")
    ).all()
    assert "user.disabled" in actions and "user.enabled" in actions
    client.post("/logout")
    assert (
        client.post("/login", data={"username": target.username, "password": PASSWORD}).status_code
        == 302
    )


def test_disable_without_confirmation_asks_first_and_changes_nothing(app, db, client, login_as):
    target = make_user("unit")
    login_as("admin")
    response = client.post(f"/admin/users/{target.id}/disable?role=unit", data={"next": "/admin/"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "确定停用吗" in text
    assert 'name="confirmed" value="1"' in text and 'action="/admin/users/' in text
    db.session.expire_all()
    assert db.session.get(User, target.id).active is True


def test_admin_finds_accounts_by_keyword(app, db, client, login_as):
    make_user("unit", username="findme01", display_name="张三")
    make_user("unit", username="other02", display_name="李四")
    login_as("admin")
    for keyword in ("FINDME", "张三"):
        text = client.get("/admin/", query_string={"q": keyword}).get_data(as_text=True)
        assert "findme01" in text and "other02" not in text
