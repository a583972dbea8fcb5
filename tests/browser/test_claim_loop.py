"""The community–unit loop by clicks: need → claim → accept → progress → done → rate."""

from tests.browser.helpers import assert_fits, axe_check, confirm, flash_text, login, nav

# each width works on its own community and unit, so the two runs never meet
PEOPLE = {1366: ("community02", "unit02"), 390: ("community03", "unit03")}


def _publish_need(page, title: str) -> None:
    nav(page, "需求清单")
    page.get_by_role("link", name="发布新需求").first.click()
    page.get_by_label("需求类型").select_option(index=1)
    page.get_by_label("标题").fill(title)
    page.get_by_label("详细说明").fill("浏览器测试：请派 2 名志愿者协助。")
    page.get_by_label("数量", exact=True).fill("4")
    with page.expect_navigation():
        page.get_by_role("button", name="保存并发布").click()
    assert "已发布" in flash_text(page) or title in page.locator("h1").inner_text()


def test_need_claim_accept_progress_done_rate(page_at, width):
    community, unit = PEOPLE[width]
    title = f"浏览器闭环需求{width}"
    staff = login(page_at(width), community)
    _publish_need(staff, title)
    axe_check(staff)

    secretary = login(page_at(width), unit)
    nav(secretary, "需求大厅")
    secretary.get_by_label("关键词").fill(title)
    secretary.get_by_role("button", name="筛选").click()
    secretary.get_by_role("link", name=title).first.click()
    secretary.get_by_label("认领数量").fill("2")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="认领", exact=True).click()
    assert "等待社区确认" in flash_text(secretary)
    assert_fits(secretary)

    # the community answers from its project list, not only from the need page
    nav(staff, "项目清单")
    row = staff.locator("tr", has_text=title)
    with staff.expect_navigation():
        row.get_by_role("button", name="接受").click()
    assert "已接受认领" in flash_text(staff)
    assert "/community/projects" in staff.url
    assert_fits(staff)
    axe_check(staff)

    secretary.reload()
    secretary.get_by_role("link", name="汇报进展").click()
    secretary.get_by_label("完成进度（%）").fill("60")
    secretary.get_by_label("进展情况").fill("已开展两次活动。")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="提交进展").click()
    assert "进展已记录" in flash_text(secretary)

    # a fall back from 60 % is refused with a Chinese reason, and nothing is recorded
    secretary.get_by_role("link", name="汇报进展").click()
    secretary.get_by_label("完成进度（%）").fill("20")
    secretary.get_by_label("进展情况").fill("填错了")
    secretary.get_by_role("button", name="提交进展").click()
    assert "不能低于上次汇报的 60%" in secretary.locator(".invalid-feedback").inner_text()
    axe_check(secretary)

    staff.get_by_role("link", name=title).click()
    with staff.expect_navigation():
        staff.get_by_role("button", name="标记完成").click()
    assert "已标记为完成" in flash_text(staff)
    staff.get_by_role("link", name="评价单位").click()
    staff.get_by_label("评分").select_option("4")
    staff.get_by_label("评价").fill("组织有序，居民满意。")
    staff.get_by_role("button", name="提交评价").click()
    assert staff.locator(".stars").first.get_attribute("aria-label") == "4 星"
    assert "60%" in staff.locator(".timeline").first.inner_text()
    assert_fits(staff)


def test_withdrawing_a_claim_asks_first(page_at, width):
    community, unit = PEOPLE[width]
    title = f"浏览器撤回需求{width}"
    staff = login(page_at(width), community)
    _publish_need(staff, title)
    secretary = login(page_at(width), unit)
    nav(secretary, "需求大厅")
    secretary.get_by_label("关键词").fill(title)
    secretary.get_by_role("button", name="筛选").click()
    secretary.get_by_role("link", name=title).first.click()
    # the claimed page must have loaded its scripts before the next click, or the withdraw
    # form posts the no-JavaScript way, without the dialog this test is about
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="认领", exact=True).click()
    secretary.wait_for_load_state()

    secretary.get_by_role("button", name="撤回认领").click()
    dialog = secretary.get_by_role("dialog")
    assert "确定撤回认领吗" in dialog.inner_text()
    dialog.get_by_role("button", name="取消").click()
    assert secretary.get_by_role("button", name="撤回认领").is_visible()  # nothing happened

    secretary.get_by_role("button", name="撤回认领").click()
    confirm(secretary)
    assert "认领已撤回" in flash_text(secretary)

    # the community withdraws the need itself, after saying yes
    staff.get_by_role("button", name="撤回需求").click()
    confirm(staff)
    assert "需求已撤回" in flash_text(staff)
