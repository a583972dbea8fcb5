"""The county map (亲民地图): every role reaches it; labels never overlap; a table too."""

from tests.browser.helpers import assert_fits, axe_check, label_overlaps, login, nav

ROLES = [None, "community05", "unit09", "reviewer", "admin"]


def test_every_role_reads_the_county_map(page_at, width):
    for username in ROLES:
        page = login(page_at(width), username) if username else page_at(width)
        if not username:
            page.goto("/")
        nav(page, "亲民地图")
        assert page.locator("h1").inner_text() == "亲民地图", username
    # the page is the same for everyone: look closely at the last one
    labels = label_overlaps(page, ".county-map .map-label")
    assert labels["count"] >= 11 + 88 - 3 and labels["hits"] == 0, labels  # nearly all labelled
    assert page.locator(".county-map rect.facility").count() > 0  # units with open facilities
    assert page.locator(".county-map line").count() >= 80  # last year's published pairs
    if width < 576:  # a phone keeps the map legible and scrolls it inside its box
        map_width = page.locator(".county-map").evaluate("e => e.getBoundingClientRect().width")
        assert map_width >= 680
    # the same content without the picture: each community with its paired units
    rows = page.locator("table tbody tr")
    assert rows.count() == 11 and "县" in rows.first.inner_text()
    assert_fits(page)
    axe_check(page)
