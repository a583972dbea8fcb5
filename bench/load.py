"""Load test: users searching, logging in and claiming, per server set-up.

For each set-up it prepares a fresh demo database (SQLite by default; with DATABASE_URL
pointing at PostgreSQL, a new database on that server, dropped afterwards), issues API
tokens, serves the app on 127.0.0.1, runs locust headless, then checks the invariants in
the database: no need over-claimed, ``claimed`` equal to the sum of its live claims, at
most one open claim per unit and need. It prints each endpoint's p50/p95 and, at the end,
one table of every set-up measured in the same run. Needs the ``bench`` extra (locust).

    .venv/bin/python bench/load.py [--users 150] [--minutes 3] [--server dev --server gunicorn]

``--server dev`` is Flask's threaded development server; ``--server gunicorn`` the
production recipe (``gunicorn -c gunicorn.conf.py``) with ``--workers`` workers. Give
``--server`` several times to compare set-ups in one run (default: both).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLAIMS = "/api/v1/needs/[id]/claims"
SEARCHES = ("/api/v1/search", "/search")
PAGES = ("/", "/search", "/facilities", "/unit/")  # GET pages a person looks at


def flask(env, *args) -> str:
    """Run a ``flask --app wsgi`` command and return its output (raise on failure)."""
    result = subprocess.run(
        [BIN / "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"flask {' '.join(args)} failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"server at {url} did not start")


INVARIANTS = """
from sqlalchemy import text
from marketplace import create_app
from marketplace.extensions import db
with create_app().app_context():
    checks = {
        "over-claimed needs": "SELECT count(*) FROM need WHERE claimed > quantity OR claimed < 0",
        "claimed != sum of live claims": '''SELECT count(*) FROM need n WHERE n.claimed <>
            (SELECT coalesce(sum(c.quantity), 0) FROM claim c WHERE c.need_id = n.id
             AND c.status IN ('proposed', 'accepted', 'in_progress', 'done'))''',
        "duplicate open claims": '''SELECT count(*) FROM (SELECT need_id, unit_id FROM claim
            WHERE status IN ('proposed', 'accepted', 'in_progress')
            GROUP BY need_id, unit_id HAVING count(*) > 1) d''',
    }
    for name, sql in checks.items():
        print(name, db.session.scalar(text(sql)))
    print("claims", db.session.scalar(text("SELECT count(*) FROM claim")))
"""


@contextmanager
def fresh_database(base_url: str | None, label: str):
    """Yield the URL of an empty database for one set-up (None: SQLite under INSTANCE_DIR)."""
    if not base_url or not base_url.startswith("postgresql"):
        yield base_url
        return
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"mp_load_{label}_{os.getpid()}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(server: str, options, database_url: str | None) -> dict:
    """Run one set-up: prepare, serve, load, check; return its figures."""
    workdir = Path(tempfile.mkdtemp(prefix="mp-load-"))
    env = {**os.environ, "INSTANCE_DIR": str(workdir), "SEARCH_INDEX_DIR": str(workdir / "index")}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    flask(env, "search", "rebuild")
    tokens = {
        f"unit{n:02d}": flask(env, "users", "token", f"unit{n:02d}").strip().split()[-1]
        for n in range(1, 41)
    }
    host = f"http://127.0.0.1:{options.port}"
    command = [BIN / "flask", "--app", "wsgi", "run", "--port", str(options.port), "--with-threads"]
    server_env = env
    if server == "gunicorn":
        command = [BIN / "gunicorn", "-c", ROOT / "gunicorn.conf.py"]
        server_env = {**env, "PORT": str(options.port), "WEB_CONCURRENCY": str(options.workers)}
    process = subprocess.Popen(
        command, cwd=ROOT, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_up(f"{host}/healthz")
        seconds = max(10, int(options.minutes * 60))
        print(f"\nlocust: {options.users} users for {seconds} s against {host} ({server}) …")
        subprocess.run(
            [BIN / "locust", "-f", ROOT / "bench" / "locustfile.py", "--headless",
             "-u", str(options.users), "-r", str(options.spawn_rate), "-t", f"{seconds}s",
             "--host", host, "--csv", workdir / "stats", "--only-summary"],
            env={**env, "LOAD_TOKENS": json.dumps(tokens)},
            check=False, capture_output=True,
        )  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=30)

    with open(workdir / "stats_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print(f"{'endpoint':32} {'requests':>9} {'failures':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for row in rows:
        print(
            f"{row['Name'][:32]:32} {row['Request Count']:>9} {row['Failure Count']:>9} "
            f"{row['50%']:>8} {row['95%']:>8}"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    checks = subprocess.run(
        [sys.executable, "-c", INVARIANTS], cwd=ROOT, env=env, capture_output=True, text=True
    )
    print(checks.stdout.strip() or checks.stderr.strip()[-500:])
    violations = sum(
        int(line.rsplit(" ", 1)[1])
        for line in checks.stdout.splitlines()
        if not line.startswith("claims")
    )
    if not checks.stdout.strip():
        violations = -1  # the check itself failed: never report it as clean

    def worst(names, column: str) -> int:
        """The slowest of several endpoints at a percentile (GET pages share one target)."""
        return max(
            (
                int(float(row[column]))
                for row in rows
                if row["Type"] == "GET" and row["Name"] in names
            ),
            default=0,
        )

    claims = next((row for row in rows if row["Name"] == CLAIMS), None)
    return {
        "server": server,
        "requests": requests,
        "errors": failures,
        "violations": violations,
        "claims_p50": int(float(claims["50%"])) if claims else 0,
        "claims_p95": int(float(claims["95%"])) if claims else 0,
        "search_p95": worst(SEARCHES, "95%"),
        "page_p95": worst(PAGES, "95%"),
    }


def set_up_label(result: dict, options, database: str) -> str:
    if result["server"] == "gunicorn":
        return f"gunicorn {options.workers} workers, {database}, {options.users} users"
    return f"dev server, {database}, {options.users} users"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--server", action="append", choices=["dev", "gunicorn"])
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    servers = options.server or ["dev", "gunicorn"]
    base_url = os.environ.get("DATABASE_URL")
    database = "PostgreSQL" if base_url and base_url.startswith("postgresql") else "SQLite"
    results = []
    for server in servers:
        with fresh_database(base_url, server) as url:
            results.append(measure(server, options, url))

    print(f"\n{options.minutes:g} minutes each, same run; targets:")
    print("| set-up | requests | claims p50 / p95 | search p95 | page p95 | errors | violations |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        print(
            f"| {set_up_label(result, options, database)} | {result['requests']:,} "
            f"| {result['claims_p50']} ms / {result['claims_p95']} ms | {result['search_p95']} ms "
            f"| {result['page_p95']} ms | {result['errors']} | {result['violations']} |"
        )
    print("| target (gunicorn, 150 users) | | p95 < 300 ms | < 200 ms | < 300 ms | 0 | 0 |")
    clean = all(r["violations"] == 0 and r["requests"] > 0 for r in results)
    rates = all(r["errors"] / r["requests"] < 0.01 for r in results if r["requests"])
    return 0 if clean and rates else 1


if __name__ == "__main__":
    sys.exit(main())
