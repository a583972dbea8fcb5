"""RELIABILITY L1: 50 users searching, logging in and claiming for a few minutes.

Prepares a fresh demo database (SQLite by default, or DATABASE_URL), issues API tokens,
serves the app on 127.0.0.1, runs locust headless, then checks the invariants in the
database: no need over-claimed, ``claimed`` equal to the sum of its live claims, at most
one open claim per unit and need. Prints the request count, the unexpected-error rate and
the p50/p95 latency per endpoint. Needs the ``bench`` extra (locust).

    .venv/bin/python bench/load.py [--users 50] [--minutes 3] [--server gunicorn --workers 4]

``--server dev`` (default) is Flask's threaded development server; ``--server gunicorn``
runs the production recipe (``gunicorn -c gunicorn.conf.py``) with ``--workers`` workers.
Set DATABASE_URL to an empty PostgreSQL database to measure on PostgreSQL.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def flask(env, *args) -> str:
    """Run a ``flask --app wsgi`` command and return its output (raise on failure)."""
    result = subprocess.run(
        [BIN / "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"flask {' '.join(args)} failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def wait_until_up(url: str, seconds: float = 30) -> None:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--server", choices=["dev", "gunicorn"], default="dev")
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="mp-load-"))
    env = {**os.environ, "INSTANCE_DIR": str(workdir), "SEARCH_INDEX_DIR": str(workdir / "index")}
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
    if options.server == "gunicorn":
        command = [BIN / "gunicorn", "-c", ROOT / "gunicorn.conf.py"]
        server_env = {**env, "PORT": str(options.port), "WEB_CONCURRENCY": str(options.workers)}
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"{host}/healthz")
        seconds = max(10, int(options.minutes * 60))
        print(
            f"locust: {options.users} users for {seconds} s against {host} ({options.server}) …",
            flush=True,
        )
        subprocess.run(
            [BIN / "locust", "-f", ROOT / "bench" / "locustfile.py", "--headless",
             "-u", str(options.users), "-r", "10", "-t", f"{seconds}s", "--host", host,
             "--csv", workdir / "stats", "--only-summary"],
            env={**env, "LOAD_TOKENS": json.dumps(tokens)},
            check=False, capture_output=True,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)

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
    rate = failures / requests if requests else 1.0
    print(f"unexpected errors: {failures}/{requests} = {rate:.2%} (target < 1%)")
    checks = subprocess.run(
        [sys.executable, "-c", INVARIANTS], cwd=ROOT, env=env, capture_output=True, text=True
    )
    print(checks.stdout.strip() or checks.stderr.strip()[-500:])
    violations = sum(
        int(line.rsplit(" ", 1)[1])
        for line in checks.stdout.splitlines()
        if not line.startswith("claims")
    )
    print("invariant violations:", violations)
    return 0 if violations == 0 and rate < 0.01 and requests > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
