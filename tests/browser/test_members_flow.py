"""Party members by clicks: report → confirm → post → team → service → confirm → points;
and a small wish: claim → fulfil → confirm. Each width uses its own member and community."""

from datetime import timedelta

from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Member, MemberReport, User
from marketplace.services.members.members import report_choices
from tests.browser.helpers import assert_fits, axe_check, flash_text, login, nav

WIDTHS = (1366, 390)


def _people(live_server, width: int) -> tuple[str, str, int]:
    """Return (member username, staff username, community id) for this width's run."""
    with live_server.app.app_context():
        staff_of = {
            user.community_id: user.username
            for user in db.session.scalars(
                select(User).where(User.role == "community").order_by(User.id.desc())
            )
        }
        reported = select(MemberReport.member_id)
        waiting = db.session.scalars(
            select(Member)
            .where(Member.community_id.is_(None), Member.id.not_in(reported))
            .order_by(Member.id)
        )
        found = []
        for member in waiting:
            choices = [c.id for c in report_choices(member) if c.id in staff_of]
            if choices:
                found.append((member.user.username, staff_of[choices[0]], choices[0]))
        return found[WIDTHS.index(width)]


def _submit(page, button: str) -> str:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).first.click()
    return flash_text(page)


def test_report_confirm_post_team_service_points(page_at, width, live_server):
    username, staff_name, community_id = _people(live_server, width)
    member = login(page_at(width), username)
    menu = member.locator("#mainNav").text_content()  # the phone keeps it collapsed
    assert "报到" in menu and "选岗" not in menu and "积分" not in menu
    nav(member, "报到")
    member.get_by_label("报到社区").select_option(str(community_id))
    assert "报到已提交" in _submit(member, "提交报到")
    axe_check(member)

    staff = login(page_at(width), staff_name)
    staff.goto("/community/members/reports")
    row = staff.locator("tr", has_text=member_name(live_server, username))
    with staff.expect_navigation():
        row.get_by_role("button", name="确认").click()
    assert "已确认" in flash_text(staff)

    member.reload()
    nav(member, "选岗")
    assert "· 服务岗位" in member.locator("h1").inner_text()
    card = member.locator(".card", has=member.get_by_role("button", name="选择此岗位")).first
    with member.expect_navigation():
        card.get_by_role("button", name="选择此岗位").click()
    assert "选岗成功" in flash_text(member)
    assert_fits(member)

    name = member_name(live_server, username)
    staff.goto("/community/teams/placement")
    staff.get_by_label(f"{name}的服务队").select_option(index=1)
    assert "调整了 1 名党员" in _submit(staff, "保存编队")
    axe_check(staff)

    nav(member, "服务记录")
    member.get_by_role("link", name="记录服务").first.click()
    member.get_by_label("服务日期").fill((clock.today() + timedelta(days=1)).isoformat())
    member.get_by_label("时长（小时）").fill("2")
    member.get_by_label("服务内容 / 调研报告摘要").fill(f"浏览器测试：助老送餐{width}")
    member.get_by_role("button", name="提交").click()
    member.wait_for_load_state()
    assert "不能晚于今天" in member.locator(".invalid-feedback").first.inner_text()
    member.get_by_label("服务日期").fill(clock.today().isoformat())
    assert "已提交" in _submit(member, "提交")

    staff.goto("/community/members/services")
    row = staff.locator("tr", has_text=f"助老送餐{width}")
    assert row.get_by_placeholder("退回原因").is_visible()
    assert_fits(staff)
    axe_check(staff)
    with staff.expect_navigation():
        row.get_by_role("button", name="确认").click()
    assert "已确认服务记录" in flash_text(staff)

    nav(member, "积分")
    entry = member.locator("tr", has_text=f"助老送餐{width}")
    assert "+20" in entry.inner_text() and clock.today().isoformat() in entry.inner_text()
    assert_fits(member)
    axe_check(member)


def member_name(live_server, username: str) -> str:
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return db.session.scalar(select(Member.name).where(Member.user_id == user.id))


def test_wish_claim_fulfil_confirm(page_at, width, live_server):
    _username, staff_name, community_id = _people(live_server, width)
    with live_server.app.app_context():
        claimer = db.session.scalar(
            select(User.username)
            .join(Member, Member.user_id == User.id)
            .where(Member.community_id == community_id)
            .order_by(Member.id.desc())
        )
    title = f"浏览器心愿{width}"
    staff = login(page_at(width), staff_name)
    staff.goto("/wishes/desk/new")
    staff.get_by_label("心愿内容").fill(title)
    staff.get_by_label("价值（元）").fill("120")
    staff.get_by_label("居民姓名").fill("李秀英")
    staff.get_by_label("截止日期").fill((clock.today() + timedelta(days=10)).isoformat())
    assert "已发布" in _submit(staff, "发布微心愿")
    wish_url = staff.url

    member = login(page_at(width), claimer)
    member.goto(wish_url)
    assert "认领成功" in _submit(member, "我来认领")
    member.get_by_label("兑现说明").fill("已送到老人家中。")
    assert "等待社区确认" in _submit(member, "确认已兑现")
    assert_fits(member)
    axe_check(member)

    staff.goto(wish_url)
    assert "已确认送达" in _submit(staff, "确认已送达居民")
    assert_fits(staff)
    axe_check(staff)
