"""A unit publishes a service by clicks; residents find it by search; withdrawn, it is gone."""

from tests.browser.helpers import assert_fits, axe_check, flash_text, login, nav

UNIT = {1366: "unit05", 390: "unit06"}


def _search(page, text: str) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.get_by_role("searchbox", name="搜索").fill(text)
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_load_state()


def test_unit_publishes_a_service_that_residents_find(page_at, width):
    title = f"浏览器法律咨询{width}"
    unit = login(page_at(width), UNIT[width])
    nav(unit, "资源清单")
    unit.get_by_role("link", name="新增服务项目").click()
    unit.get_by_role("button", name="保存").click()  # nothing filled in: told in Chinese
    assert "请填写名称。" in unit.locator(".invalid-feedback").all_inner_texts()
    unit.get_by_label("服务类型").select_option(index=1)
    unit.get_by_label("名称").fill(title)
    unit.get_by_label("每月可提供数量").fill("4")
    unit.get_by_label("说明").fill("每月四次，律师到社区坐诊。")
    with unit.expect_navigation():
        unit.get_by_role("button", name="保存").click()
    assert "资源已发布" in flash_text(unit)
    assert_fits(unit)
    axe_check(unit)

    resident = page_at(width)
    resident.goto("/")
    _search(resident, title)
    resident.get_by_role("link", name=title).first.click()
    assert title in resident.locator("h1").inner_text()
    assert_fits(resident)

    with unit.expect_navigation():
        unit.locator("tr", has_text=title).get_by_role("button", name="撤回").click()
    assert "撤回" in flash_text(unit)
    resident.goto("/")
    _search(resident, title)
    assert resident.get_by_role("link", name=title).count() == 0
