"""The production recipe: gunicorn with several workers serves the suite's main paths.

Starts ``gunicorn -c gunicorn.conf.py wsgi:app`` (4 workers, background indexer threads)
on a free localhost port against a copy of the migrated demo database, logs in, claims a
need and searches through it, then writes a burst of needs spread across the workers and
checks that every new need is found through every worker within 5 seconds and that
``flask search check`` is clean.
"""

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4  # the production set-up: gunicorn with 4 workers
BURST = 6
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(url: str, index_dir: Path) -> dict[str, str]:
    """Build the index and issue API tokens, in this process (the server reads both)."""
    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.models import User
    from marketplace.services.api_tokens import issue_api_token
    from marketplace.services.search import search_index

    app = create_app(
        {"SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
         "SEARCH_INDEX_DIR": str(index_dir), "SEARCH_INDEXER": "off"}
    )  # fmt: skip
    with app.app_context():
        search_index.rebuild()
        tokens = {}
        for name in ("community01", "unit01"):
            user = db.session.scalars(db.select(User).filter_by(username=name)).one()
            tokens[name] = issue_api_token(user, "gunicorn test")
        db.session.remove()
        db.engine.dispose()
    return tokens


class Http:
    """A tiny HTTP client: one new connection per request, cookies kept."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.token = token
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, *, data=None, json_body=None, method=None):
        headers = {"Connection": "close"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, body, headers, method=method)
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def json(self, path: str, **kwargs):
        status, headers, text = self.request(path, **kwargs)
        return status, headers.get("X-Test-Worker"), json.loads(text) if text else None


@pytest.fixture
def server(demo_backend, tmp_path):
    url = demo_backend.new_database("demo")
    index_dir = tmp_path / "index"
    tokens = _prepare(url, index_dir)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": TEST_SECRET,
        "MARKETPLACE_ENV": "development",
        "INSTANCE_DIR": str(tmp_path),
        "SEARCH_INDEX_DIR": str(index_dir),
        "SEARCH_INDEXER": "thread",
        "SEARCH_DRAIN_INTERVAL": "0.5",
        "WEB_CONCURRENCY": str(WORKERS),
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "tests/gunicorn_test.conf.py")]
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
            try:
                if Http(base).request("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 45 s"
            time.sleep(0.3)
        yield base, tokens, env
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        demo_backend.drop(url)


def _all_workers(base: str) -> set[str]:
    """Request /healthz concurrently until every worker has answered at least once."""
    seen: set[str] = set()
    deadline = time.monotonic() + 30
    with ThreadPoolExecutor(WORKERS * 2) as pool:
        while len(seen) < WORKERS:
            assert time.monotonic() < deadline, f"only workers {seen} answered"
            answers = pool.map(lambda _: Http(base).request("/healthz"), range(WORKERS * 2))
            seen |= {headers.get("X-Test-Worker") for _, headers, _ in answers}
    return seen


def test_gunicorn_workers_serve_login_claim_search_and_see_every_write(server):
    base, tokens, env = server
    workers = _all_workers(base)

    # login on the page (CSRF token from the form), then a page that needs the session
    browser = Http(base)
    page = browser.request("/login")[2]
    form = {"username": "unit01", "password": "demo-pass", "csrf_token": CSRF.search(page)[1]}
    status, _, _ = browser.request("/login", data=form)
    assert status == 200
    status, _, text = browser.request("/unit/")
    assert status == 200 and 'name="password"' not in text

    # a need claim through the API
    unit = Http(base, tokens["unit01"])
    status, _, needs = unit.json("/api/v1/needs?status=open&per_page=50")
    assert status == 200 and needs["results"]
    claimed = None
    for need in needs["results"]:
        status, _, answer = unit.json(
            f"/api/v1/needs/{need['id']}/claims", json_body={"quantity": 1}
        )
        if status == 201:
            claimed = answer
            break
        assert status == 409, answer
    assert claimed is not None and claimed["status"]

    # a search
    status, _, found = Http(base).json("/api/v1/search?q=%E4%BC%9A%E8%AE%AE%E5%AE%A4")
    assert status == 200 and found["total"] >= 1

    # a burst of writes, spread across the workers by running them at once
    community = Http(base, tokens["community01"])
    tag = f"burst{uuid.uuid4().hex[:8]}"
    type_id = _any_type_id(unit)

    def create(n):
        body = {"type_id": type_id, "title": f"集中测试 {tag} 第{n}项", "description": "压测写入",
                "quantity": 2, "measure_unit": "people", "urgency": 3}  # fmt: skip
        return community.json("/api/v1/needs", json_body=body)

    with ThreadPoolExecutor(BURST) as pool:
        created = list(pool.map(create, range(BURST)))
    assert all(status == 201 for status, _, _ in created), created
    written_by = {worker for _, worker, _ in created}
    new_ids = {answer["id"] for _, _, answer in created}
    written_at = time.monotonic()

    # every new need is found through every worker within 5 s
    complete: set[str] = set()
    with ThreadPoolExecutor(WORKERS * 2) as pool:
        while complete != workers:
            assert time.monotonic() - written_at < 5, (
                f"after 5 s only workers {complete} of {workers} found all {BURST} new needs"
            )
            answers = pool.map(
                lambda _: Http(base).json(f"/api/v1/search?q={tag}&kind=need&per_page=50"),
                range(WORKERS * 2),
            )
            for status, worker, answer in answers:
                assert status == 200, answer
                if {hit["id"] for hit in answer["results"]} >= new_ids:
                    complete.add(worker)
            time.sleep(0.1)
    assert written_by  # (which workers wrote is up to the kernel; all of them read)

    check = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "search", "check"],
        cwd=ROOT, env={**env, "SEARCH_INDEXER": "off"}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def _any_type_id(client: Http) -> int:
    status, _, needs = client.json("/api/v1/needs?per_page=1")
    assert status == 200
    return needs["results"][0]["type_id"]
