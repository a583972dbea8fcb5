"""The demo county's figures, idempotent loading, the home page and /healthz."""

from sqlalchemy import func, select

from marketplace.demo.county import load_demo_county
from marketplace.extensions import db as _db
from marketplace.models import (
    Claim,
    Community,
    Need,
    Offer,
    PairingPlan,
    PlanPair,
    Township,
    Unit,
    User,
)

COUNTED = (Community, Township, Unit, Offer, Need, Claim, User, PairingPlan, PlanPair)


def _counts():
    return {m.__name__: _db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED}


def test_demo_county_has_the_design_figures(demo_app, demo_client):
    stats = demo_client.get("/api/v1/stats").json
    assert stats["communities"] == 11
    assert stats["units"] == 88
    assert stats["categories"] == 12 and stats["types"] == 53
    assert stats["service_items"] >= 500
    assert stats["meeting_rooms"] == 56
    assert stats["parking_spaces"] >= 300
    assert stats["sports_grounds"] == 3
    assert stats["open_needs"] > 0


def test_every_community_has_open_needs(demo_app):
    rows = _db.session.execute(
        select(Need.community_id, func.count())
        .where(Need.status.in_(("published", "partly_claimed")))
        .group_by(Need.community_id)
    ).all()
    assert len(rows) == 11 and all(count > 0 for _, count in rows)


def test_demo_claims_are_consistent_with_need_counters(demo_app):
    live = ("proposed", "accepted", "in_progress", "done")
    for need in _db.session.scalars(select(Need)):
        total = sum(
            c.quantity
            for c in _db.session.scalars(
                select(Claim).where(Claim.need_id == need.id, Claim.status.in_(live))
            )
        )
        assert need.claimed == total <= need.quantity


def test_demo_logins_work(demo_app, demo_auth):
    for username in ("admin", "reviewer", "community01", "community11", "unit01", "unit88"):
        response = demo_auth.login(username, "demo-pass")
        assert response.status_code == 302, username
        demo_auth.logout()


def test_loading_the_demo_twice_changes_nothing(demo_app):
    before = _counts()
    result = load_demo_county()
    assert result.created is False
    assert _counts() == before


def test_demo_cli_skips_a_non_empty_database(demo_app):
    runner = demo_app.test_cli_runner()
    before = _counts()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "跳过" in result.output
    assert _counts() == before


def test_demo_cli_loads_with_progress(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "演示账号" in result.output and "102/102" in result.output
    assert _counts()["Unit"] == 88


def test_home_page_shows_county_figures_and_chart(demo_app, demo_client):
    body = demo_client.get("/").get_data(as_text=True)
    assert "云溪县" in body and "共享会议室" in body and "<svg" in body
    assert ">56<" in body


def test_healthz_ok(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "db": "ok"}


def test_healthz_reports_a_broken_database(app, client, monkeypatch):
    from marketplace.extensions import db

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable" and response.json["db"].startswith("error")
