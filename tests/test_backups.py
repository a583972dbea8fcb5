"""``flask db backup`` / ``flask db restore``: a round trip restores every table exactly."""

import shutil

import pytest
from sqlalchemy import select

from marketplace.models import Need
from marketplace.services import backups
from tests.factories import make_need


def test_backup_and_restore_round_trip(demo_app, tmp_path):
    from marketplace.extensions import db

    if demo_app.test_backend == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not on PATH")
    before = backups.fingerprint()
    assert before["need"][0] > 0 and before["unit"][0] > 0
    runner = demo_app.test_cli_runner()
    file = tmp_path / "backup.dump"

    made = runner.invoke(args=["db", "backup", str(file)])
    assert made.exit_code == 0, made.output
    assert file.stat().st_size > 0 and "已备份到" in made.output

    # damage the live database after the backup
    first = db.session.scalars(select(Need.id).order_by(Need.id)).first()
    db.session.get(Need, first).title = "备份之后改过"
    db.session.commit()
    make_need()  # a new row (and its community)
    assert backups.fingerprint() != before

    refused = runner.invoke(args=["db", "restore", str(file)], input="n\n")
    assert refused.exit_code == 1 and backups.fingerprint() != before
    backups.restore(file)
    after = backups.fingerprint()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table

    # the command also rebuilds the index (which resets the change log and replica rows)
    make_need()
    restored = runner.invoke(args=["db", "restore", str(file), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "搜索索引已重建" in restored.output
    again = backups.fingerprint()
    index_books = {"search_outbox", "search_replica"}  # the index's own bookkeeping
    assert {t: v for t, v in again.items() if t not in index_books} == {
        t: v for t, v in before.items() if t not in index_books
    }
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_restore_refuses_a_missing_or_foreign_file(app, db, tmp_path):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["db", "restore", str(tmp_path / "nope.db"), "--yes"])
    assert missing.exit_code == 1 and "备份文件不存在" in missing.output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    foreign = runner.invoke(args=["db", "restore", str(junk), "--yes"])
    assert foreign.exit_code == 1 and "恢复失败" in foreign.output


def test_postgres_backup_without_pg_dump_prints_the_command(app, db, tmp_path, monkeypatch):
    if app.test_backend != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "未找到 pg_dump" in result.output and "pg_dump --format=custom" in result.output
    assert len(result.output.strip().splitlines()) == 1
