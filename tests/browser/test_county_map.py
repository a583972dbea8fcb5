"""The county map (亲民地图): every role reaches it; labels never overlap; a table too."""

import pytest

from tests.browser.helpers import assert_fits, axe_check, login, nav
from tests.browser.test_review_flow import OVERLAP_SCRIPT


@pytest.mark.parametrize("username", [None, "community05", "unit09", "reviewer", "admin"])
def test_every_role_reads_the_county_map(page_at, width, username):
    page = login(page_at(width), username) if username else page_at(width)
    if not username:
        page.goto("/")
    nav(page, "亲民地图")
    assert page.locator("h1").inner_text() == "亲民地图"
    labels = page.evaluate(OVERLAP_SCRIPT, ".county-map .map-label")
    assert labels["count"] >= 11 + 88 - 3 and labels["hits"] == 0, labels  # nearly all labelled
    assert page.locator(".county-map rect.facility").count() > 0  # units with open facilities
    assert page.locator(".county-map line").count() >= 80  # last year's published pairs
    # the same content without the picture: each community with its paired units
    rows = page.locator("table tbody tr")
    assert rows.count() == 11 and "县" in rows.first.inner_text()
    assert_fits(page)
    if username in (None, "unit09"):  # one scan per layout is enough for the shared page
        axe_check(page)
