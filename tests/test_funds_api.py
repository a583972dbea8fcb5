"""Funds API: entries by kind (keys or Chinese labels), refusals as JSON, the summary."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import FundEntry
from marketplace.services.accounts import issue_api_token
from tests.oversight_helpers import PairWorld, quick_user


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


@pytest.fixture
def world(app):
    return PairWorld()


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(FundEntry))


def test_a_unit_posts_a_pledge_and_a_contribution_and_reads_its_summary(world, client):
    headers = bearer(world.unit_user)
    pledge = client.post(
        "/api/v1/funds/entries",
        json={
            "kind": "pledge",
            "community_id": world.community.id,
            "note": "年度承诺",
            "date": "2026-01-10",
            "status": "pending",
        },
        headers=headers,
    )
    assert pledge.status_code == 201, pledge.json
    assert (pledge.json["amount_yuan"], pledge.json["status"]) == ("10000.00", "counted")
    given = client.post(
        "/api/v1/funds/entries",
        json={
            "kind": "帮扶到位",
            "community_id": world.community.id,
            "amount_yuan": 1234.5,
            "materials": "图书 100 册",
            "note": "社区书屋",
            "date": "2026-02-01",
        },
        headers=headers,
    )
    assert given.status_code == 201, given.json
    summary = client.get("/api/v1/funds/summary?year=2026", headers=headers).json
    assert summary["pledged"] == "10000.00" and summary["contributed"] == "1234.50"
    assert summary["scope"] == "unit" and summary["fen"]["contributed"] == 123_450
    assert set(summary) >= {"pledged", "contributed", "budget", "spent", "balance"}


def test_another_units_contribution_is_403_and_nothing_is_written(world, client):
    before = entries()
    response = client.post(
        "/api/v1/funds/entries",
        json={
            "kind": "contribution",
            "community_id": world.community.id,
            "unit_id": world.second_unit.id,
            "amount_yuan": 100,
            "note": "代登",
        },
        headers=bearer(world.unit_user),
    )
    assert response.status_code == 403 and "本单位" in response.json["error"]
    assert entries() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "wages", "amount_yuan": 1, "note": "x"}, "kind"),
        ({"kind": "spending", "amount_yuan": "1,000", "note": "x"}, "amount_yuan"),
        ({"kind": "spending", "amount_yuan": 10, "note": ""}, "note"),
        ({"kind": "spending", "amount_yuan": 10, "note": "x", "date": "2026-13-01"}, "date"),
        ({"kind": "budget", "amount_yuan": 10, "note": "x", "source": "lottery"}, "source"),
    ],
)
def test_bad_bodies_are_400_with_the_field(world, client, body, field):
    response = client.post("/api/v1/funds/entries", json=body, headers=bearer(world.staff))
    assert response.status_code == 400, response.json
    assert response.json["field"] == field


def test_large_spending_waits_for_the_township_through_the_api(world, client):
    staff = bearer(world.staff)
    spent = client.post(
        "/api/v1/funds/entries",
        json={"kind": "经费支出", "amount_yuan": 80000, "note": "路灯改造", "project": "路灯"},
        headers=staff,
    ).json
    assert spent["status"] == "pending"
    summary = client.get(
        f"/api/v1/funds/summary?community_id={world.community.id}", headers=staff
    ).json
    assert summary["spent"] == "0.00"
    far = client.post(
        f"/api/v1/funds/entries/{spent['id']}/approve", headers=bearer(world.far_township_user)
    )
    assert far.status_code == 403
    approved = client.post(
        f"/api/v1/funds/entries/{spent['id']}/approve", headers=bearer(world.township_user)
    )
    assert approved.status_code == 200 and approved.json["status"] == "counted"
    again = client.post(
        f"/api/v1/funds/entries/{spent['id']}/refuse", headers=bearer(world.township_user)
    )
    assert again.status_code == 409
    summary = client.get(
        f"/api/v1/funds/summary?community_id={world.community.id}", headers=bearer(world.reviewer)
    ).json
    assert summary["spent"] == "80000.00" and summary["balance"] == "-80000.00"


def test_a_correction_through_the_api(world, client):
    staff = bearer(world.staff)
    budget = client.post(
        "/api/v1/funds/entries",
        json={"kind": "budget", "source": "党费", "amount_yuan": 500, "note": "党费返还"},
        headers=staff,
    ).json
    reversed_ = client.post(
        f"/api/v1/funds/entries/{budget['id']}/reverse", json={"reason": "重复登记"}, headers=staff
    )
    assert reversed_.status_code == 201 and reversed_.json["amount_yuan"] == "-500.00"
    summary = client.get("/api/v1/funds/summary", headers=staff).json
    assert summary["budget"] == "0.00"


def test_summary_scopes_are_policed(world, client):
    other = f"/api/v1/funds/summary?community_id={world.other_community.id}"
    assert client.get(other, headers=bearer(world.staff)).status_code == 403
    assert client.get(other, headers=bearer(world.far_township_user)).status_code == 403
    assert client.get(other, headers=bearer(world.township_user)).status_code == 200
    unit = f"/api/v1/funds/summary?unit_id={world.second_unit.id}"
    assert client.get(unit, headers=bearer(world.unit_user)).status_code == 403
    assert client.get(unit, headers=bearer(world.reviewer)).status_code == 200
    both = f"/api/v1/funds/summary?unit_id=1&community_id={world.community.id}"
    assert client.get(both, headers=bearer(world.reviewer)).status_code == 400
    assert (
        client.get("/api/v1/funds/summary?year=abc", headers=bearer(world.reviewer)).status_code
        == 400
    )
    assert (
        client.get("/api/v1/funds/summary", headers=bearer(quick_user("member"))).status_code == 403
    )
    assert client.get("/api/v1/funds/summary").status_code == 401


def test_a_spending_entry_takes_its_receipt_seen_only_by_who_reads_the_entry(world, client):
    import io

    from tests.attachment_helpers import MINIMAL_PDF

    spent = client.post(
        "/api/v1/funds/entries",
        json={"kind": "spending", "amount_yuan": 300, "note": "购买清扫工具", "project": "环境"},
        headers=bearer(world.staff),
    ).json
    url = f"/api/v1/funds/entries/{spent['id']}/attachments"

    def upload(user):
        body = {"file": (io.BytesIO(MINIMAL_PDF), "发票.pdf")}
        return client.post(url, data=body, headers=bearer(user))

    assert upload(world.other_staff).status_code in (403, 404)  # another community's staff
    receipt = upload(world.staff)
    assert receipt.status_code == 201 and receipt.json["content_type"] == "application/pdf"
    listed = client.get(url, headers=bearer(world.township_user))
    assert [row["id"] for row in listed.json["results"]] == [receipt.json["id"]]
    assert client.get(url, headers=bearer(world.other_staff)).status_code in (403, 404)
    page = client.get(f"/funds/entries/{spent['id']}")
    assert page.status_code in (302, 401)  # the entry page needs a login
