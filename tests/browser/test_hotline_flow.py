"""志愿服务110 by clicks: intake → dispatch → serve → follow-up → close, with the refused
serve form kept on the ticket's page."""

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Team, Ticket, User
from tests.browser.helpers import assert_fits, axe_check, flash_text, login, nav


def _leader_of(live_server, ticket_id: int) -> str:
    with live_server.app.app_context():
        team = db.session.get(Team, db.session.get(Ticket, ticket_id).team_id)
        return db.session.scalar(select(User.username).where(User.id == team.leader_user_id))


def test_intake_dispatch_serve_follow_up_close(page_at, width, live_server):
    desk = login(page_at(width), "dispatcher")
    nav(desk, "登记来电")
    desk.get_by_label("服务类别").select_option(index=1)
    desk.get_by_label("求助内容").fill(f"浏览器测试：老人家中水管漏水（{width}）")
    desk.get_by_label("所在社区").select_option(index=1)
    desk.get_by_label("联系电话").fill("13800138000")
    with desk.expect_navigation():
        desk.get_by_role("button", name="提交求助").click()
    ticket_id = int(re.search(r"/tickets/(\d+)", desk.url).group(1))
    teams = desk.get_by_label("派给服务队")
    assert teams.input_value() == ""  # no team chosen for the dispatcher
    teams.select_option(index=1)
    with desk.expect_navigation():
        desk.get_by_role("button", name="派单").click()
    assert "已派单" in flash_text(desk)
    axe_check(desk)

    team = login(page_at(width), _leader_of(live_server, ticket_id))
    team.goto(f"/hotline/desk/tickets/{ticket_id}")
    with team.expect_navigation():
        team.get_by_role("button", name="接单").click()
    assert "已接单" in flash_text(team)
    team.get_by_label("服务时长（小时）").fill("1.5")
    team.get_by_role("button", name="登记服务").click()
    assert f"#{ticket_id}" in team.locator("h1").inner_text()  # still the ticket
    assert "请填写服务情况" in team.locator(".invalid-feedback").first.inner_text()
    assert team.get_by_label("服务时长（小时）").input_value() == "1.5"
    assert_fits(team)
    team.get_by_label("服务情况").fill("更换了水管接头，已不漏水。")
    with team.expect_navigation():
        team.get_by_role("button", name="登记服务").click()
    assert "已登记服务情况" in flash_text(team)
    axe_check(team)

    desk.reload()
    desk.get_by_label("满意度").select_option("5")
    with desk.expect_navigation():
        desk.get_by_role("button", name="记录回访").click()
    assert "已记录回访" in flash_text(desk)
    with desk.expect_navigation():
        desk.get_by_role("button", name="办结").click()
    assert "工单已办结" in flash_text(desk)
    assert_fits(desk)
