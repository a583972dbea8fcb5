"""``flask db backup FILE`` / ``flask db restore FILE`` (added to Flask-Migrate's group)."""

import sys

import click
from flask_migrate.cli import db as db_group


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file: str) -> None:
    """Copy the whole database to FILE (SQLite online backup, or pg_dump)."""
    from marketplace.services import backups

    try:
        path = backups.backup(file)
    except (backups.BackupUnavailable, OSError) as error:
        click.echo(f"备份失败：{error}", err=True)
        sys.exit(1)
    click.echo(f"已备份到 {path}（{path.stat().st_size / 1024:.0f} KB）。")


@db_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="不再确认，直接用备份替换当前数据。")
def restore_command(file: str, yes: bool) -> None:
    """Replace every row of the database with the backup in FILE, then rebuild the index."""
    from marketplace.services import backups
    from marketplace.services.search import search_index

    if not yes and not click.confirm("恢复会用备份替换当前全部数据，继续吗？"):
        click.echo("已取消。", err=True)
        sys.exit(1)
    try:
        backups.restore(file)
    except (backups.BackupUnavailable, OSError) as error:
        click.echo(f"恢复失败：{error}", err=True)
        sys.exit(1)
    count = search_index.rebuild()
    click.echo(f"已从 {file} 恢复，搜索索引已重建（{count} 条）。")
