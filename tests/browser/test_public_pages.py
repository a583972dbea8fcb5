"""Anonymous pages in a real browser: home, search, the facility finder, login."""

import pytest

from tests.browser.helpers import assert_fits, axe_check, login

PUBLIC_PAGES = ["/", "/login", "/search?q=场地", "/facilities"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible_and_fits(page_at, width, path):
    page = page_at(width)
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert_fits(page)
    axe_check(page)


def test_every_menu_opens_without_javascript(page_at, width):
    """Bootstrap's dropdowns and the phone menu need JavaScript; without it all stay open."""
    reviewer = login(page_at(width, javascript=False), "reviewer")
    link = reviewer.get_by_role("link", name="对接达标")
    assert link.is_visible()  # inside the 督导考核 menu, which nothing could open
    link.click()
    reviewer.wait_for_load_state()
    assert reviewer.url.endswith("/compliance/")
    assert reviewer.get_by_role("link", name="修改密码").is_visible()  # the account menu too
    assert_fits(reviewer)
