"""Anonymous pages in a real browser: home, search, the facility finder, login."""

import pytest

from tests.browser.helpers import assert_fits, axe_check

PUBLIC_PAGES = ["/", "/login", "/search?q=场地", "/facilities"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible_and_fits(page_at, width, path):
    page = page_at(width)
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert_fits(page)
    axe_check(page)
