"""Every main page of every role: no serious or critical axe-core violation, no sideways scroll.

Each test visits all pages of one role and reports every problem found at once.
"""

import pytest

from tests.browser.helpers import axe_problems, login, overflow

PAGES = {
    None: [
        "/needs/1",
        "/offers/1",
        "/units/1",
        "/communities/1",
        "/bookings/new/7",
        "/map/",
        "/search?q=会议室",
    ],
    "community01": [
        "/community/",
        "/community/needs",
        "/community/needs/new",
        "/community/projects",
        "/pairs/",
        "/notifications/",
        "/account/password",
    ],
    "unit01": [
        "/unit/",
        "/unit/needs",
        "/unit/offers",
        "/unit/offers/new/facility",
        "/unit/offers/new/service",
        "/unit/projects",
        "/unit/ratings",
        "/unit/bookings/",
        "/pairs/",
    ],
    "reviewer": [
        "/review/",
        "/review/plans",
        "/review/plans/new",
        "/review/plans/1",
        "/review/plans/1/compare",
        "/ledgers/",
    ],
    "admin": ["/admin/", "/admin/users/new", "/ledgers/", "/notifications/"],
}


@pytest.mark.parametrize("username", list(PAGES), ids=lambda name: name or "anonymous")
def test_main_pages_are_accessible_and_fit_the_screen(page_at, width, username):
    page = login(page_at(width), username) if username else page_at(width)
    problems = []
    for path in PAGES[username]:
        response = page.goto(path)
        assert response.status == 200, path
        problems += [f"{path}: {line}" for line in axe_problems(page)]
        if (extra := overflow(page)) > 1:
            problems.append(f"{path}: {extra}px wider than the screen")
    assert not problems, "\n".join(problems)
