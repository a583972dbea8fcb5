"""Backups of the whole database: ``flask db backup FILE`` and ``flask db restore FILE``.

SQLite: the online backup API (``sqlite3.Connection.backup``), a consistent copy taken
while the app keeps serving; restore copies the file back the same way. PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction`` when they
are on PATH; otherwise ``BackupUnavailable`` carries the command to run by hand.
The search index is a cache: rebuild it after a restore (``flask search rebuild``).

Attachments' bytes live outside the database (``services/attachments/storage.py``): a
backup copies every stored object into the folder ``FILE.attachments`` beside the
dump, and a restore puts them back into the store, so restored rows find their files.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import URL, make_url

from marketplace.database import reflected_tables
from marketplace.extensions import db
from marketplace.services.attachments.storage import FolderStorage, storage

__all__ = ["BackupUnavailable", "attachments_folder", "backup", "fingerprint", "restore"]


class BackupUnavailable(Exception):
    """The database's backup tool is missing or failed; the message says what to do."""


def _url() -> URL:
    return make_url(db.engine.url)


def _sqlite_path() -> str:
    path = _url().database
    if not path or path == ":memory:":
        raise BackupUnavailable("内存数据库无法备份。")
    return path


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq URI without the password, and an environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(tool: str, arguments: list[str], env: dict[str, str], manual: str) -> None:
    if shutil.which(tool) is None:
        raise BackupUnavailable(f"未找到 {tool}：请在数据库服务器上运行 {manual}")
    done = subprocess.run([tool, *arguments], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["未知错误"])[-1]
        raise BackupUnavailable(f"{tool} 失败：{last}")


def attachments_folder(dump: Path) -> Path:
    """Return the folder beside a dump that holds the attachments' bytes."""
    return dump.with_name(dump.name + ".attachments")


def _copy_attachments(source, target) -> None:
    for key in source.names():
        target.put(key, source.get(key))


def backup(target: str | Path) -> Path:
    """Write a consistent copy of the database (and the attachments) to ``target``."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    db.session.commit()
    _backup_database(target)
    # After the dump: a file uploaded meanwhile is copied too, harmlessly unreferenced.
    _copy_attachments(storage(), FolderStorage(attachments_folder(target)))
    return target


def _backup_database(target: Path) -> None:
    if db.engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    uri, env = _libpq(_url())
    manual = f"pg_dump --format=custom --no-owner --file={target} {_url().database}"
    _run("pg_dump", ["--format=custom", "--no-owner", f"--file={target}", uri], env, manual)


def restore(source: str | Path) -> None:
    """Replace the database's contents with the backup in ``source``; put back its files."""
    source = Path(source).resolve()
    if not source.is_file():
        raise BackupUnavailable(f"备份文件不存在：{source}")
    _restore_database(source)
    files = attachments_folder(source)
    if files.is_dir():
        _copy_attachments(FolderStorage(files), storage())


def _restore_database(source: Path) -> None:
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold a lock on what is replaced
    if db.engine.dialect.name == "sqlite":
        backup_copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(_sqlite_path(), timeout=30)
        try:
            backup_copy.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupUnavailable(f"不是 SQLite 备份文件：{source}") from error
        try:
            backup_copy.backup(live)
        finally:
            live.close()
            backup_copy.close()
        return
    uri, env = _libpq(_url())
    manual = (
        f"pg_restore --clean --if-exists --no-owner --single-transaction "
        f"--dbname={_url().database} {source}"
    )
    arguments = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run("pg_restore", [*arguments, f"--dbname={uri}", str(source)], env, manual)


def fingerprint() -> dict[str, tuple[int, str]]:
    """Return every table's row count and a checksum of its rows in key order."""
    metadata = reflected_tables(db.engine)
    result = {}
    with db.engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            count = 0
            for row in connection.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                count += 1
            result[name] = (count, digest.hexdigest())
    return result
