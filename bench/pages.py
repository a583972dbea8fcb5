"""Page latency at county and city scale: p50/p95 of the main pages, in-process.

    # county: a database with `flask demo load`; city: one with `flask demo load --scale city`
    python bench/pages.py --database-url postgresql://…/county --index-dir instance/search-index
    python bench/pages.py --database-url postgresql://…/city --index-dir /tmp/city/search-index

Renders each main page (home, need hall, search, community and unit dashboards, the review
plans list, the facility finder) ``--repeat`` times through the app's test client (no
network, one process: the figures are the app's own time, not a server's) as the demo
logins of that scale, and prints per page the SQL statements, p50 and p95 in ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = {
    None: ["/", "/search?q=%E7%A4%BE%E5%8C%BA", "/facilities"],
    "community": ["/community/", "/community/needs"],
    "unit": ["/unit/", "/unit/needs"],
    "reviewer": ["/review/plans"],
}
LOGINS = {  # role -> (county login, city login)
    "community": ("community01", "city-community"),
    "unit": ("unit01", "city-unit"),
    "reviewer": ("reviewer", "city-reviewer"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")

    from sqlalchemy import event, func, select

    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.models import Community, Need, Offer, User

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "SEARCH_INDEX_DIR": args.index_dir,
            "SEARCH_INDEXER": "off",
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        }
    )
    with app.app_context():
        city = db.session.scalar(select(User.id).where(User.username == "city-unit")) is not None
        sizes = [
            db.session.scalar(select(func.count()).select_from(m)) for m in (Community, Need, Offer)
        ]
        statements = [0]
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *_: statements.__setitem__(0, statements[0] + 1),
        )
    scale = "city" if city else "county"
    print(
        f"{scale}: {sizes[0]} communities, {sizes[1]} needs, {sizes[2]} offers; "
        f"{args.repeat} runs a page"
    )
    print(f"{'page':38} {'SQL':>4} {'p50 ms':>8} {'p95 ms':>8}")
    client = app.test_client()
    for role, paths in PAGES.items():
        if role:
            username = LOGINS[role][1 if city else 0]
            client.post("/login", data={"username": username, "password": "demo-pass"})
        for path in paths:
            client.get(path)  # warm up
            timings = []
            for _ in range(args.repeat):
                statements[0] = 0
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            label = f"{role or '-'} {path}"[:38]
            print(f"{label:38} {statements[0]:>4} {statistics.median(timings):>8.1f} {p95:>8.1f}")
        if role:
            client.post("/logout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
