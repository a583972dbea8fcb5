"""Reads never wait for a writer; passwords are hashed and imports checked outside the lock.

Regression: every SQLite transaction began with ``BEGIN IMMEDIATE``,
so one admin's long import made every other request fail with "database is locked".
Another connection holds the write lock (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the
need table locked ``EXCLUSIVE``, which lets readers through) while pages are read.
"""

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from marketplace.database import writes_intended
from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.services.ledgers import imports, workbooks
from tests.factories import PASSWORD, make_community, make_need, make_user
from tests.helpers.excel import sheet_bytes


@pytest.fixture
def app_config():
    return {"SQLITE_BUSY_TIMEOUT_MS": 1500}


@contextmanager
def writer_holding_the_lock(app):
    """Hold the database's write lock from another connection for the block."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    db.session.commit()
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.execute(text("LOCK TABLE need IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.rollback()
    engine.dispose()


def lock_is_free(app) -> bool:
    """Tell whether another connection could take the write lock right now."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return not writes_intended()  # PostgreSQL has no database-wide write lock
    probe = sqlite3.connect(url.database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def test_pages_are_read_while_another_request_writes(app, client):
    need = make_need(title="读写并存")
    paths = ["/", f"/needs/{need.id}", "/facilities", "/search?q=读写", "/login", "/healthz"]
    with writer_holding_the_lock(app):
        statuses = {path: client.get(path).status_code for path in paths}
    assert statuses == dict.fromkeys(paths, 200)


def _spy(monkeypatch, app, module, name, seen: list):
    real = getattr(module, name)

    def spy(*args, **kwargs):
        seen.append(lock_is_free(app))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)


def test_no_request_hashes_a_password_inside_the_write_lock(app, client, monkeypatch):
    from marketplace.services import accounts

    seen: list[bool] = []
    for name in ("verify_password", "hash_password", "burn_verification_time"):
        _spy(monkeypatch, app, accounts, name, seen)
    user = make_user("unit", username="hasher")
    admin = make_user("admin", username="root1")
    client.post("/login", data={"username": "nobody", "password": "whatever-1"})
    client.post("/login", data={"username": "hasher", "password": "wrong-password"})
    assert (
        client.post("/login", data={"username": "hasher", "password": PASSWORD}).status_code == 302
    )
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Nq7-tZ4p-Lw9",
            "confirm": "Nq7-tZ4p-Lw9",
        },
    )
    client.post("/logout")
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    client.post(
        "/admin/users/new",
        data={
            "username": "newbie7",
            "role": "reviewer",
            "password": "Vb3-kR8s-Jx2",
            "confirm": "Vb3-kR8s-Jx2",
            "community_id": 0,
            "unit_id": 0,
        },
    )
    assert len(seen) >= 6, seen
    assert all(seen), seen
    assert user.id


def test_an_import_is_parsed_and_checked_without_the_write_lock(app, monkeypatch):
    make_community(name="锁外社区")
    seen: list[bool] = []
    _spy(monkeypatch, app, imports, "read_rows", seen)
    _spy(monkeypatch, app, imports, "_check_need", seen)
    content = sheet_bytes(
        imports.COLUMNS["needs"],
        ["锁外社区", "法律咨询", "一次咨询", "", 3, "场次", "", "", "一般"],
        ["锁外社区", "法律咨询", "两次咨询", "", 2, "场次", "", "", "一般"],
    )
    report = imports.import_workbook(None, "needs", content)
    assert report.created == 2
    assert seen and all(seen), seen


def test_an_import_has_a_row_limit_and_an_unpacked_size_limit(app):
    make_community(name="限额社区")
    rows = [["限额社区", "法律咨询", f"第 {i} 条", "", 1, "场次", "", "", "一般"] for i in range(4)]
    content = sheet_bytes(imports.COLUMNS["needs"], *rows)
    app.config["IMPORT_MAX_ROWS"] = 3
    with pytest.raises(InvalidInput, match="最多导入 3 行"):
        imports.import_workbook(None, "needs", content)
    app.config["IMPORT_MAX_ROWS"] = 5000
    app.config["IMPORT_MAX_UNPACKED_BYTES"] = 2 * 1024 * 1024
    long_row = ["限额社区", "法律咨询", "x" * 30_000, "", 1]  # a cell holds 32,767 at most
    bomb = sheet_bytes(imports.COLUMNS["needs"], *[long_row] * 100)
    assert len(bomb) < 100_000  # compresses well: the size that matters is unpacked
    with pytest.raises(InvalidInput, match="解压后超过 2 MB"):
        imports.import_workbook(None, "needs", bomb)
    with pytest.raises(InvalidInput, match="解压后超过"):
        workbooks.read_rows(bomb, max_unpacked_bytes=1024 * 1024)
