"""Funds pages: each role's ledger, the entry form, corrections and approvals, the Excel
export, and the public 三必须公开 page (no personal data)."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from marketplace.services.funds import fund_entries
from tests.factories import make_user
from tests.oversight_helpers import PairWorld


@pytest.fixture
def world(app):
    return PairWorld()


def login(client, user) -> None:
    response = client.post(
        "/login", data={"username": user.username, "password": "correct-horse-42"}
    )
    assert response.status_code == 302


def enter(actor, **data):
    data.setdefault("note", "年度帮扶")
    data.setdefault("date", "2026-05-06")
    return fund_entries.enter_entry(actor, data)


def test_the_disclosure_page_is_public_and_shows_no_personal_data(world, client):
    enter(world.staff, kind="budget", source="finance", amount_yuan=120000,
          note="王建国经办，电话 13912345678")  # fmt: skip
    enter(world.staff, kind="spending", amount_yuan=20000, project="为张秀英家改造 13912345678")
    big = enter(world.staff, kind="spending", amount_yuan=9000, project="楼道照明改造",
                note="李桂兰报销")  # fmt: skip
    fund_entries.decide_spending(world.township_user, big.id, True)
    enter(world.staff, kind="spending", amount_yuan=120, project="购买茶叶 赵大妈")
    enter(world.unit_user, kind="contribution", community_id=world.community.id, amount_yuan=300)
    page = client.get(f"/communities/{world.community.id}/disclosure?year=2026")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "楼道照明改造" in text and "9,000.00" in text and "日常小额支出" in text
    assert world.unit.name in text and "工作经费（财政）" in text
    for private in ("王建国", "13912345678", "李桂兰", "赵大妈", world.staff.username):
        assert private not in text
    assert "张秀英" not in text  # pending spending is not published


def test_the_disclosure_of_a_missing_community_is_404(app, client):
    assert client.get("/communities/999999/disclosure").status_code == 404


@pytest.mark.parametrize("who", ["unit_user", "staff", "township_user", "reviewer"])
def test_every_reader_sees_the_ledger_and_its_chart(world, client, who, db):
    enter(world.unit_user, kind="pledge", community_id=world.community.id, date="2026-01-02")
    user = make_user(getattr(world, who).role, community_id=getattr(world, who).community_id,
                     unit_id=getattr(world, who).unit_id,
                     township_id=getattr(world, who).township_id)  # fmt: skip
    login(client, user)
    page = client.get("/funds/?year=2026")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "经费台账" in text and "<svg" in text


def test_the_form_keeps_the_input_and_shows_the_error_beside_the_field(world, client):
    staff = make_user("community", community_id=world.community.id)
    login(client, staff)
    assert client.get("/funds/new").status_code == 200
    response = client.post(
        "/funds/new",
        data={"kind": "spending", "amount_yuan": "12.345", "note": "买灯泡", "project": "楼道"},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "最多精确到分" in text and 'value="12.345"' in text and "买灯泡" in text


def test_enter_correct_and_approve_through_the_pages(world, client, db):
    staff = make_user("community", community_id=world.community.id)
    login(client, staff)
    made = client.post(
        "/funds/new", data={"kind": "spending", "amount_yuan": "6000", "note": "监控补点"}
    )
    assert made.status_code == 302
    entry_page = made.headers["Location"]
    assert "待乡镇审批" in client.get(entry_page).get_data(as_text=True)
    township = make_user("township", township_id=world.township.id)
    client.post("/logout")
    login(client, township)
    entry_id = int(entry_page.rstrip("/").rsplit("/", 1)[1])
    approved = client.post(f"/funds/entries/{entry_id}/approve", data={"decision_note": "同意"})
    assert approved.status_code == 302
    assert "已入账" in client.get(entry_page).get_data(as_text=True)
    client.post("/logout")
    login(client, staff)
    corrected = client.post(f"/funds/entries/{entry_id}/reverse", data={"reason": "录错"})
    assert corrected.status_code == 302
    assert "-6,000.00" in client.get(corrected.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("who", ["unit_user", "reviewer"])
def test_the_excel_export_opens(world, client, who):
    enter(world.unit_user, kind="pledge", community_id=world.community.id)
    enter(
        world.unit_user, kind="contribution", community_id=world.community.id, amount_yuan="99.99"
    )
    base = getattr(world, who)
    user = make_user(base.role, unit_id=base.unit_id)
    login(client, user)
    response = client.get("/funds/export.xlsx?year=2026")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.data))
    assert workbook.sheetnames[0] == "2026年单位帮扶"
    rows = list(workbook["2026年单位帮扶"].values)
    assert rows[1][2:4] == (10000, 99.99)
    assert any(row[2] == "帮扶到位" for row in workbook["2026年明细"].values)
