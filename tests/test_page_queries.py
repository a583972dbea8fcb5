"""The main pages run a number of SQL statements that does not grow with the data (no N+1).

Loads a small generated city, counts each page's statements, loads a city ten times as
big beside it and counts again (the full city is bench/pages.py's).
"""

from marketplace.demo.city import load_demo_city
from marketplace.services.search import search_index
from tests.pages_helpers import counted_statements

PAGES = {
    None: ["/", "/search?q=%E7%A4%BE%E5%8C%BA", "/facilities"],  # 社区
    "t-community": ["/community/", "/community/needs"],
    "t-unit": ["/unit/", "/unit/needs"],
    "t-reviewer": ["/review/plans", "/review/"],
}
SLACK = 1  # a page may differ by one statement (e.g. an extra facet or page link query)


def _counts(client, auth) -> dict[str, int]:
    counts = {}
    for username, paths in PAGES.items():
        if username:
            assert auth.login(username).status_code == 302
        for path in paths:
            client.get(path)  # warm up (first-use rows, caches)
            with counted_statements() as statements:
                response = client.get(path)
            assert response.status_code == 200, (username, path, response.status_code)
            counts[f"{username or '-'} {path}"] = statements[0]
        if username:
            auth.logout()
    return counts


def test_main_pages_do_not_run_more_queries_on_more_data(app, db, client, auth):
    load_demo_city(name="小城", communities=4, units=10, listings=40, logins="t")
    search_index.rebuild()
    small = _counts(client, auth)
    load_demo_city(name="大城", communities=40, units=100, listings=400, logins="")
    search_index.rebuild()
    big = _counts(client, auth)
    grown = {page: (small[page], big[page]) for page in small if big[page] > small[page] + SLACK}
    assert not grown, f"statements grew with the data (small, ten times bigger): {grown}"
