"""API tokens die with the password and the account, expire, and can be revoked.

Regression: tokens could never be revoked, never expired and
survived a password change.
"""

from datetime import timedelta

from sqlalchemy import select, update

from marketplace.models import ApiToken
from marketplace.models._common import utcnow
from marketplace.services import accounts, api_tokens
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "Kp4-wQ8z-Rt6"


def _works(client, token) -> bool:
    response = client.get("/api/v1/claims", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


def test_a_token_dies_with_a_password_change(app, db, client):
    user = make_user("unit")
    token = accounts.issue_api_token(user, "脚本")
    assert _works(client, token)
    accounts.change_password(user, PASSWORD, NEW_PASSWORD)
    assert not _works(client, token)


def test_a_token_dies_when_the_account_is_disabled(app, db, client):
    user, admin = make_user("unit"), make_user("admin")
    token = accounts.issue_api_token(user)
    accounts.set_user_active(admin, user.id, False)
    accounts.set_user_active(admin, user.id, True)
    assert not _works(client, token), "enabling again must not revive an old token"


def test_a_token_expires_and_records_its_last_use(app, db, client):
    user = make_user("unit")
    token = accounts.issue_api_token(user)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.expires_at is not None and row.last_used_at is None
    lifetime = row.expires_at.replace(tzinfo=None) - row.created_at.replace(tzinfo=None)
    days = round(lifetime.total_seconds() / 86400)
    assert days == app.config["API_TOKEN_DAYS"]
    assert _works(client, token)
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None
    db.session.execute(
        update(ApiToken).where(ApiToken.id == row.id).values(expires_at=utcnow() - timedelta(1))
    )
    db.session.commit()
    assert not _works(client, token)


def test_a_user_sees_and_revokes_their_tokens_on_a_page(app, db, client, login_as):
    user = login_as("community")
    other_token = accounts.issue_api_token(make_user("unit"), "别人的")
    page = client.post("/account/tokens", data={"label": "台账同步"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "只显示这一次" in html and "台账同步" in html
    token = html.split('user-select-all">')[1].split("<")[0]
    assert _works(client, token)
    mine = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    theirs = db.session.scalar(select(ApiToken).where(ApiToken.user_id != user.id))
    db.session.commit()
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 403
    assert _works(client, other_token)
    assert client.post(f"/account/tokens/{mine.id}/revoke").status_code == 302
    assert not _works(client, token)
    assert "已吊销" in client.get("/account/tokens").get_data(as_text=True)


def test_revoke_token_command(app, db, client):
    user = make_user("unit", username="scripter")
    first, second = accounts.issue_api_token(user, "一"), accounts.issue_api_token(user, "二")
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["users", "revoke-token", "scripter", "--list"])
    assert listed.exit_code == 0 and "有效" in listed.output
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.label == "一"))
    db.session.commit()
    one = runner.invoke(args=["users", "revoke-token", "scripter", "--id", str(token_id)])
    assert one.exit_code == 0, one.output
    assert not _works(client, first) and _works(client, second)
    every = runner.invoke(args=["users", "revoke-token", "scripter"])
    assert every.exit_code == 0 and "1 个令牌" in every.output
    assert not _works(client, second)
    missing = runner.invoke(args=["users", "revoke-token", "nobody"])
    assert missing.exit_code != 0 and "不存在" in missing.output
    assert api_tokens.tokens_of(user)
