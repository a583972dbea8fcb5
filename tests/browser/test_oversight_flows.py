"""Oversight by clicks: escalation → 统筹安排 → the unit accepts; a joint meeting →
attendance → action items. Every refused form stays on its page with its message."""

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Community, Escalation, User
from tests.browser.helpers import assert_fits, axe_check, flash_text, login, nav

# each width works on its own communities, so the two runs never meet
ESCALATING = {1366: "community10", 390: "community11"}
HOSTING = {1366: "community06", 390: "community07"}


def _township_of(live_server, username: str) -> str:
    with live_server.app.app_context():
        staff = db.session.scalar(select(User).where(User.username == username))
        community = db.session.get(Community, staff.community_id)
        return db.session.scalar(
            select(User.username).where(
                User.role == "township", User.township_id == community.township_id
            )
        )


def _secretary_of(live_server, escalation_id: int) -> str:
    with live_server.app.app_context():
        unit_id = db.session.get(Escalation, escalation_id).assigned_unit_id
        return db.session.scalar(
            select(User.username).where(User.role == "unit", User.unit_id == unit_id)
        )


def _first_active_unit(live_server, units) -> str:
    values = [v for v in units.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    with live_server.app.app_context():
        active = set(
            db.session.scalars(
                select(User.unit_id).where(User.role == "unit", User.active.is_(True))
            )
        )
    return next(value for value in values if int(value) in active)


def test_escalation_is_assigned_by_choice_and_the_unit_accepts(page_at, width, live_server):
    community = ESCALATING[width]
    staff = login(page_at(width), community)
    nav(staff, "上报事项")
    staff.get_by_label("上报本社区的待认领需求").select_option(index=1)
    staff.get_by_role("button", name="上报乡镇").click()
    assert "请填写上报原因" in staff.locator(".invalid-feedback").inner_text()  # kept in place
    staff.get_by_label("上报理由").fill("多次发动无人认领，请乡镇统筹。")
    with staff.expect_navigation():
        staff.get_by_role("button", name="上报乡镇").click()
    assert "已上报" in flash_text(staff)
    escalation_id = int(re.search(r"/escalations/(\d+)", staff.url).group(1))
    axe_check(staff)

    township = login(page_at(width), _township_of(live_server, community))
    nav(township, "统筹队列")
    township.goto(f"/escalations/{escalation_id}")
    units = township.get_by_label("承接单位", exact=True)
    assert units.input_value() == ""  # nothing chosen for the coordinator
    township.get_by_role("button", name="下一步：确认").click()
    assert "请选择承接单位" in township.locator(".invalid-feedback").inner_text()
    assert_fits(township)
    # the first suggestion whose secretary can sign in (another test disables accounts)
    units.select_option(_first_active_unit(live_server, units))
    township.get_by_role("button", name="下一步：确认").click()
    assert township.get_by_role("heading", name="请确认统筹安排").is_visible()
    axe_check(township)
    with township.expect_navigation():
        township.get_by_role("button", name="确认指派").click()
    assert "已指派" in flash_text(township)
    assert_fits(township)

    secretary = login(page_at(width), _secretary_of(live_server, escalation_id))
    nav(secretary, "统筹安排给本单位的事项")
    row = secretary.locator("tr", has=secretary.locator(f'a[href="/escalations/{escalation_id}"]'))
    row.get_by_role("link", name="承接或说明").click()
    secretary.get_by_role("button", name="说明不能承接").click()
    assert "请填写说明" in secretary.locator(".invalid-feedback").inner_text()
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="承接", exact=True).click()
    assert "已答复" in flash_text(secretary)
    assert "已解决" in secretary.locator("h1").inner_text()
    assert_fits(secretary)
    axe_check(secretary)


def test_meeting_attendance_starts_unticked_and_items_are_refused_in_place(page_at, width):
    host = login(page_at(width), HOSTING[width])
    nav(host, "联席会议")
    host.get_by_role("link", name="记录会议").click()
    boxes = host.locator('input[name="present"]')
    assert boxes.count() > 0
    assert all(not boxes.nth(i).is_checked() for i in range(boxes.count()))
    axe_check(host)
    boxes.first.check()
    host.get_by_label("会议主题").fill(f"浏览器测试会议{width}")
    with host.expect_navigation():
        host.get_by_role("button", name="保存会议记录").click()
    assert "会议记录已保存" in flash_text(host)
    host.get_by_role("link", name=f"浏览器测试会议{width}").first.click()
    assert "出席情况（1/" in host.locator("main").inner_text()

    host.get_by_label("事项内容").fill("清理楼道杂物")
    host.get_by_role("button", name="添加事项").click()
    assert "请选择责任单位或填写责任人" in host.locator("main").inner_text()
    assert host.get_by_label("事项内容").input_value() == "清理楼道杂物"
    assert_fits(host)
    host.get_by_label("责任单位").select_option(index=1)
    with host.expect_navigation():
        host.get_by_role("button", name="添加事项").click()
    assert "会议事项已添加" in flash_text(host)
    row = host.locator("tr", has_text="清理楼道杂物")
    with host.expect_navigation():
        row.get_by_role("button", name="办结").click()
    assert "事项已办结" in flash_text(host)
    assert "已完成" in host.locator("tr", has_text="清理楼道杂物").inner_text()
    assert_fits(host)
    axe_check(host)
