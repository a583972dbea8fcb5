"""Fixtures: every database test runs on SQLite (file, WAL) and on PostgreSQL.

Each worker builds a migrated template database once per backend (by running the
Alembic migrations, so migrations are exercised on both), and a second template with
the demo county loaded. Every test gets a fresh copy: a file copy on SQLite,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL.
"""

import os
import shutil
import uuid
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from marketplace.config import normalise_database_url

BACKENDS = ["sqlite", "postgresql"]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else None


def pytest_configure(config):
    if os.environ.get("REQUIRE_POSTGRES") and not _postgres_admin_url():
        pytest.exit("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not", returncode=3)


def _base_config(database_url: str, index_dir: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "WTF_CSRF_ENABLED": False,
        "SEARCH_SYNONYMS_FILE": str(index_dir.parent / "search_synonyms.txt"),
        "SEARCH_INDEXER": "inline",  # read your own writes; test_search_indexer covers "thread"
        "NOTIFY_WORKER": "off",  # the notify tests deliver explicitly (outbox.deliver_due)
        "ATTACHMENT_DIR": str(index_dir.parent / "attachments"),
    }


class Backend:
    """Creates template databases and per-test copies for one database kind."""

    def __init__(self, kind: str, workdir: Path, worker: str):
        self.kind = kind
        self.workdir = workdir
        self.worker = worker
        self.templates: dict[str, str] = {}
        self.admin_url = _postgres_admin_url() if kind == "postgresql" else None
        if kind == "postgresql":
            if not self.admin_url:
                pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests skipped")
            try:
                with self._admin() as connection:
                    connection.execute(text("SELECT 1"))
            except Exception as error:  # a missing server must fail CI, not skip
                message = f"PostgreSQL at TEST_DATABASE_URL is unreachable: {error}"
                if os.environ.get("REQUIRE_POSTGRES"):
                    pytest.fail(message, pytrace=False)
                pytest.skip(message)

    def _admin(self):
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        return engine.connect()

    def _pg_url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def new_database(self, template: str | None = None) -> str:
        """Return the URL of a new database, copied from ``template`` when given."""
        name = f"mp_{self.worker}_{uuid.uuid4().hex[:10]}"
        if self.kind == "sqlite":
            path = self.workdir / f"{name}.db"
            if template:
                shutil.copyfile(self.templates[template], path)
            return f"sqlite:///{path}"
        with self._admin() as connection:
            clause = f' TEMPLATE "{self.templates[template]}"' if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return self._pg_url(name)

    def drop(self, url: str) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(make_url(url).database + suffix).unlink(missing_ok=True)
            return
        name = make_url(url).database
        with self._admin() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def build_template(self, label: str, prepare) -> None:
        """Create a template database by running ``prepare(app)`` on a fresh one."""
        from marketplace import create_app
        from marketplace.extensions import db

        url = self.new_database()
        config = _base_config(url, self.workdir / f"index-{label}")
        config["SEARCH_INDEXER"] = "off"  # a template registers no index copy of its own
        app = create_app(config)
        with app.app_context():
            prepare(app)
            db.session.remove()
            db.engine.dispose()  # closing SQLite's last connection checkpoints the WAL
        self.templates[label] = make_url(url).database

    def cleanup(self) -> None:
        if self.kind == "postgresql":
            for name in self.templates.values():
                self.drop(self._pg_url(name))


def _migrate(app):
    from flask_migrate import upgrade

    upgrade()


def _migrate_and_load_demo(app):
    from marketplace.demo.county import load_demo_county

    _migrate(app)
    load_demo_county()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory, worker_id):
    backend = Backend(request.param, tmp_path_factory.mktemp(request.param), worker_id)
    backend.build_template("empty", _migrate)
    yield backend
    backend.cleanup()


@pytest.fixture(scope="session")
def demo_backend(backend):
    if "demo" not in backend.templates:
        backend.build_template("demo", _migrate_and_load_demo)
    return backend


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The fixtures keep an app context pushed so tests can use ``db.session``; Flask would
    reuse it for requests, sharing ``g`` (Flask-Login's cached user) and the database
    session between requests. Before each request the test's own transaction is ended,
    because on SQLite every transaction holds the write lock (BEGIN IMMEDIATE).
    """

    def open(self, *args, **kwargs):
        from marketplace.extensions import db

        if _cv_app.get(None) is not None:
            db.session.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


def _make_app(backend: Backend, template: str, tmp_path: Path, overrides: dict | None = None):
    from marketplace import create_app
    from marketplace.extensions import db

    url = backend.new_database(template)
    config = _base_config(url, tmp_path / "search-index")
    template_files = backend.workdir / "attachments"  # the demo's photos, made with it
    if template != "empty" and template_files.is_dir():
        shutil.copytree(template_files, tmp_path / "attachments", dirs_exist_ok=True)
    config.update(overrides or {})
    app = create_app(config)
    app.test_client_class = IsolatedClient
    app.test_backend = backend.kind
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    backend.drop(url)


@pytest.fixture
def app_config():
    """Override to change the app configuration for a test module."""
    return {}


@pytest.fixture
def app(backend, tmp_path, app_config):
    """An app with a freshly migrated, empty database (taxonomy loaded)."""
    from marketplace.services.exchange.taxonomy import load_taxonomy

    for application in _make_app(backend, "empty", tmp_path, app_config):
        load_taxonomy()
        yield application


@pytest.fixture
def demo_app(demo_backend, tmp_path, app_config):
    """An app whose database holds the demo county."""
    yield from _make_app(demo_backend, "demo", tmp_path, app_config)


@pytest.fixture
def db(app):
    from marketplace.extensions import db

    return db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = "demo-pass", **extra):
        return self.client.post(
            "/login", data={"username": username, "password": password, **extra}
        )

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def demo_auth(demo_client):
    return AuthActions(demo_client)


@pytest.fixture
def login_as(app, client):
    """Create a user of ``role`` (with its community/unit) and log the client in."""
    from tests.factories import make_user

    def _login_as(role: str, **overrides):
        user = make_user(role, **overrides)
        response = client.post(
            "/login", data={"username": user.username, "password": "correct-horse-42"}
        )
        assert response.status_code == 302, response.data.decode()[:500]
        return user

    return _login_as
